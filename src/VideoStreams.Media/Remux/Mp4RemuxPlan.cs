using System.Buffers;
using System.Runtime.ExceptionServices;
using Microsoft.Win32.SafeHandles;
using VideoStreams.Media.IO;
using VideoStreams.Media.Mp4;

namespace VideoStreams.Media.Remux;

/// <summary>
/// A planned Matroska → MP4 remux: the complete MP4 layout plus where each sample's bytes are in the source. Writing is
/// a sequence of copies; a byte range of the MP4 can be produced alone through <see cref="Layout"/>'s MapRange and
/// <see cref="SourceOffset"/>.
/// </summary>
public sealed class Mp4RemuxPlan
{
    private const int WindowSize = 8 << 20;
    private const int WindowLead = 1 << 20;
    private readonly long[][] _sourceOffsets;
    private readonly Mp4Sample[][] _samples;

    internal Mp4RemuxPlan(Mp4FileLayout layout, RemuxTrack[] tracks, Mp4Sample[][] samples, long[][] sourceOffsets, int droppedFrames)
    {
        Layout = layout;
        _samples = samples;
        Tracks = tracks;
        _sourceOffsets = sourceOffsets;
        DroppedFrames = droppedFrames;
    }

    /// <summary>The MP4 file's layout: header bytes, chunks, size.</summary>
    public Mp4FileLayout Layout { get; }

    /// <summary>The tracks, in MP4 track order.</summary>
    public IReadOnlyList<RemuxTrack> Tracks { get; }

    /// <summary>Video frames left out because they came before the first keyframe.</summary>
    public int DroppedFrames { get; }

    /// <summary>Offset in the source of a sample's first byte.</summary>
    public long SourceOffset(int trackIndex, int sampleIndex) => _sourceOffsets[trackIndex][sampleIndex];

    /// <summary>Writes the MP4 for a source held in memory into a buffer.</summary>
    public void WriteTo(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        destination.Write(Layout.Header.Span);
        foreach (var chunk in Layout.Chunks)
        {
            var offsets = _sourceOffsets[chunk.TrackIndex];
            var sizes = _samples[chunk.TrackIndex];
            for (var i = chunk.FirstSample; i < chunk.FirstSample + chunk.SampleCount; i++)
            {
                destination.Write(source.Slice(checked((int)offsets[i]), sizes[i].Size));
            }
        }
    }

    /// <summary>
    /// Writes the MP4 into a file, reading frames from the source file through windows: chunks come in time order and
    /// alternate between tracks, so each window read serves many chunks, and the source is read about once.
    /// </summary>
    /// <remarks>
    /// Two stages on two threads: one reads windows of the source, this one writes their frames with gather writes
    /// (one system call per batch, no copy in user space). Reading and writing overlap, and only one thread writes,
    /// so the destination's inode lock is never contended.
    /// </remarks>
    /// <param name="source">The Matroska file the plan was made from.</param>
    /// <param name="destination">An open file; the MP4 is written at <paramref name="fileOffset"/>.</param>
    /// <param name="fileOffset">Where in <paramref name="destination"/> the MP4 starts.</param>
    public void WriteTo(SafeFileHandle source, SafeFileHandle destination, long fileOffset = 0)
    {
        RandomAccess.Write(destination, Layout.Header.Span, fileOffset);
        var windows = new HandoffQueue<Window>(capacity: 2);
        var free = new HandoffQueue<byte[]>(capacity: 3);
        for (var i = 0; i < 3; i++)
        {
            free.TryAdd(ArrayPool<byte>.Shared.Rent(WindowSize));
        }

        Exception? failure = null;
        var reader = new Thread(() =>
        {
            try
            {
                ReadWindows(source, windows, free);
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                windows.Complete();
            }
        })
        { IsBackground = true, Name = "mp4 source read" };
        reader.Start();
        try
        {
            var writer = new GatherWriter(destination, fileOffset + Layout.Header.Length);
            while (windows.TryTake(out var window))
            {
                foreach (var (start, length) in window.Pieces)
                {
                    writer.Add(window.Buffer.AsMemory(start, length));
                }

                writer.Flush();
                free.TryAdd(window.Buffer);
            }
        }
        finally
        {
            // Unblocks the reader if writing failed, then returns every buffer.
            free.Complete();
            windows.Complete();
            reader.Join();
            while (windows.TryTakeLeftover(out var left))
            {
                ArrayPool<byte>.Shared.Return(left.Buffer);
            }

            while (free.TryTakeLeftover(out var buffer))
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>The read stage: fills windows in output order and lists, for each, the frames it holds.</summary>
    private void ReadWindows(SafeFileHandle source, HandoffQueue<Window> windows, HandoffQueue<byte[]> free)
    {
        Window? current = null;
        foreach (var chunk in Layout.Chunks)
        {
            var offsets = _sourceOffsets[chunk.TrackIndex];
            var samples = _samples[chunk.TrackIndex];
            for (var i = chunk.FirstSample; i < chunk.FirstSample + chunk.SampleCount; i++)
            {
                var (offset, size) = (offsets[i], samples[i].Size);
                if (current is null || offset < current.Start || offset + size > current.Start + current.Length)
                {
                    if (current is not null && !windows.TryAdd(current))
                    {
                        return;
                    }

                    if (!free.TryTake(out var buffer))
                    {
                        return;
                    }

                    if (size + WindowLead > buffer.Length)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = ArrayPool<byte>.Shared.Rent(size + WindowLead);
                    }

                    // Start a little early: the other track's next chunk usually begins just before this sample.
                    var start = Math.Max(0, offset - WindowLead);
                    current = new Window(buffer, start, ReadFully(source, buffer, start));
                    if (offset + size > current.Start + current.Length)
                    {
                        ThrowHelper.Throw(MediaFormatError.Truncated, "the source file is shorter than when it was planned", offset);
                    }
                }

                current.Pieces.Add(((int)(offset - current.Start), size));
            }
        }

        if (current is not null)
        {
            windows.TryAdd(current);
        }
    }

    /// <summary>A window of the source and the frames to write from it, in output order.</summary>
    private sealed class Window(byte[] buffer, long start, int length)
    {
        public byte[] Buffer { get; } = buffer;

        public long Start { get; } = start;

        public int Length { get; } = length;

        public List<(int Start, int Length)> Pieces { get; } = [];
    }

    /// <summary>The MP4 samples of a track, in decode order.</summary>
    public ReadOnlySpan<Mp4Sample> Samples(int trackIndex) => _samples[trackIndex];


    private static int ReadFully(SafeFileHandle source, byte[] buffer, long offset)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = RandomAccess.Read(source, buffer.AsSpan(total), offset + total);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }
}
