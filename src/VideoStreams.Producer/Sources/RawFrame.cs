using System.Runtime.InteropServices;
using OpenCvSharp;

namespace VideoStreams.Producer.Sources;

/// <summary>
/// One reusable BGR24 frame: a pinned managed buffer with an OpenCV <see cref="Mat"/> header over it, so OpenCV draws
/// or captures straight into the bytes that are later written to the encoder. Frames circulate through a small pool;
/// none is allocated per captured picture.
/// </summary>
internal sealed class RawFrame : IDisposable
{
    public RawFrame(int width, int height)
    {
        Width = width;
        Height = height;
        Data = GC.AllocateArray<byte>(width * height * 3, pinned: true);
        Mat = Mat.FromPixelData(height, width, MatType.CV_8UC3, Marshal.UnsafeAddrOfPinnedArrayElement(Data, 0));
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>The pixels, BGR24, rows top to bottom without padding.</summary>
    public byte[] Data { get; }

    /// <summary>An OpenCV view of <see cref="Data"/>.</summary>
    public Mat Mat { get; }

    /// <summary>Capture wall-clock time, epoch ms.</summary>
    public long TimestampMs { get; set; }

    public void Dispose() => Mat.Dispose();
}

/// <summary>A source of raw pictures for the encoder: a camera, a decoded file or URL, the synthetic pattern.</summary>
internal interface IRawFrameSource : IDisposable
{
    /// <summary>A short description for logs.</summary>
    string Description { get; }

    /// <summary>Frame width once opened.</summary>
    int Width { get; }

    /// <summary>Frame height once opened.</summary>
    int Height { get; }

    /// <summary>Frames per second once opened (what the encoder is told).</summary>
    double FrameRate { get; }

    /// <summary>Opens the device or file.</summary>
    /// <exception cref="VideoSourceException">It cannot be opened; the message names it.</exception>
    void Open();

    /// <summary>
    /// Waits for the next picture and captures it into <paramref name="frame"/>, or, when <paramref name="frame"/> is
    /// null (the encoder is behind and the picture will be dropped), consumes it without keeping it.
    /// </summary>
    /// <returns>The capture time (epoch ms), or -1 when the source has ended.</returns>
    ValueTask<long> NextFrameAsync(RawFrame? frame, CancellationToken cancellationToken);
}
