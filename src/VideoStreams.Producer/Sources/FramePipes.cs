using System.Globalization;
using System.Threading.Channels;
using FFMpegCore.Pipes;

namespace VideoStreams.Producer.Sources;

/// <summary>
/// FFMpegCore's input side: raw BGR24 frames from the capture loop, written to ffmpeg from the pooled frame buffers
/// themselves. Each frame's capture time goes into the <see cref="TimestampFifo"/> as it is written, and the buffer
/// goes back to the pool once ffmpeg has it.
/// </summary>
internal sealed class RawFramePipeSource : IPipeSource
{
    private readonly int _width;
    private readonly int _height;
    private readonly double _frameRate;
    private readonly ChannelReader<RawFrame> _filled;
    private readonly ChannelWriter<RawFrame> _free;
    private readonly TimestampFifo _timestamps;
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RawFramePipeSource(int width, int height, double frameRate, ChannelReader<RawFrame> filled, ChannelWriter<RawFrame> free, TimestampFifo timestamps)
    {
        _width = width;
        _height = height;
        _frameRate = frameRate;
        _filled = filled;
        _free = free;
        _timestamps = timestamps;
    }

    /// <summary>Frames written to ffmpeg.</summary>
    public long Written { get; private set; }

    /// <summary>Completes when ffmpeg has connected to the pipe (capturing before that would only drop frames).</summary>
    public Task Connected => _connected.Task;

    public string GetStreamArguments() =>
        string.Create(CultureInfo.InvariantCulture, $"-f rawvideo -pix_fmt bgr24 -video_size {_width}x{_height} -framerate {_frameRate:0.######}");

    public async Task WriteAsync(Stream outputStream, CancellationToken cancellationToken)
    {
        _connected.TrySetResult();
        while (await _filled.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_filled.TryRead(out var frame))
            {
                _timestamps.Enqueue(frame.TimestampMs);
                try
                {
                    await outputStream.WriteAsync(frame.Data, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    _free.TryWrite(frame);
                }

                Written++;
            }
        }

        await outputStream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// FFMpegCore's output side: ffmpeg's Annex B H.264, cut into access units by <see cref="AccessUnitSplitter"/> and
/// handed to a callback in the order they come (which, with no B-frames, is the order the frames went in).
/// </summary>
internal sealed class AnnexBPipeSink : IPipeSink
{
    private readonly AccessUnitSplitter _splitter;
    private readonly AccessUnitHandler _onAccessUnit;

    public AnnexBPipeSink(AccessUnitSplitter splitter, AccessUnitHandler onAccessUnit)
    {
        _splitter = splitter;
        _onAccessUnit = onAccessUnit;
    }

    public delegate void AccessUnitHandler(ReadOnlySpan<byte> accessUnit);

    public string GetStreamArguments() => "-f h264";

    public async Task ReadAsync(Stream inputStream, CancellationToken cancellationToken)
    {
        // FFMpegCore cancels this token as soon as ffmpeg exits, while the last access units may still sit in the
        // pipe. The read ends anyway when ffmpeg's end closes (exit or kill), so read to the end without the token.
        _ = cancellationToken;
        while (true)
        {
            var read = await inputStream.ReadAsync(_splitter.GetMemory(), CancellationToken.None).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            _splitter.Advance(read);
            Drain();
        }

        if (_splitter.TryTakeLast(out var last))
        {
            _onAccessUnit(last);
        }
    }

    private void Drain()
    {
        while (_splitter.TryTake(out var unit))
        {
            _onAccessUnit(unit);
        }
    }
}
