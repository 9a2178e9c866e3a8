using System.Buffers;
using Microsoft.Win32.SafeHandles;
using VideoStreams.Media.Mp4;

namespace VideoStreams.Media.Remux;

/// <summary>
/// A planned Matroska → MP4 remux: the complete MP4 layout plus where each sample's bytes are in the source. Writing is
/// a sequence of copies; a byte range of the MP4 can be produced alone through <see cref="Layout"/>'s MapRange and
/// <see cref="SourceOffset"/>.
/// </summary>
public sealed class Mp4RemuxPlan
{
    private const int WindowSize = 16 << 20;
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
    /// Writes the MP4 into a file, reading frames from the source file through a window: chunks come in time order and
    /// alternate between tracks, so each window read serves many chunks, and the source is read about once. The
    /// frames go to the destination with gather writes straight from the window (one system call per batch).
    /// </summary>
    /// <remarks>
    /// Writes are positional, so the file is cut into as many contiguous parts as there are processors and the parts are
    /// written in parallel: copying into the page cache is most of the cost, and it scales with cores.
    /// </remarks>
    /// <param name="source">The Matroska file the plan was made from.</param>
    /// <param name="destination">An open file; the MP4 is written at <paramref name="fileOffset"/>.</param>
    /// <param name="fileOffset">Where in <paramref name="destination"/> the MP4 starts.</param>
    public void WriteTo(SafeFileHandle source, SafeFileHandle destination, long fileOffset = 0)
    {
        RandomAccess.Write(destination, Layout.Header.Span, fileOffset);
        var chunks = Layout.Chunks;
        var parts = Math.Clamp(Environment.ProcessorCount, 1, Math.Max(1, chunks.Count / 64));
        var bounds = new int[parts + 1];
        for (int part = 1, chunk = 0; part < parts; part++)
        {
            // Equal shares of bytes, on chunk boundaries.
            var target = Layout.Header.Length + ((Layout.FileSize - Layout.Header.Length) * part / parts);
            while (chunk < chunks.Count && chunks[chunk].FileOffset < target)
            {
                chunk++;
            }

            bounds[part] = chunk;
        }

        bounds[parts] = chunks.Count;
        if (parts == 1)
        {
            WriteChunks(source, destination, fileOffset, 0, chunks.Count);
        }
        else
        {
            Parallel.For(0, parts, part => WriteChunks(source, destination, fileOffset, bounds[part], bounds[part + 1]));
        }
    }

    private void WriteChunks(SafeFileHandle source, SafeFileHandle destination, long fileOffset, int firstChunk, int endChunk)
    {
        if (firstChunk >= endChunk)
        {
            return;
        }

        var window = ArrayPool<byte>.Shared.Rent(WindowSize);
        try
        {
            long windowStart = 0;
            var windowLength = 0;
            var writer = new GatherWriter(destination, fileOffset + Layout.Chunks[firstChunk].FileOffset);
            for (var c = firstChunk; c < endChunk; c++)
            {
                var chunk = Layout.Chunks[c];
                var offsets = _sourceOffsets[chunk.TrackIndex];
                var samples = _samples[chunk.TrackIndex];
                for (var i = chunk.FirstSample; i < chunk.FirstSample + chunk.SampleCount; i++)
                {
                    var (offset, size) = (offsets[i], samples[i].Size);
                    if (offset < windowStart || offset + size > windowStart + windowLength)
                    {
                        // The gathered pieces point into the window: write them out before it is refilled.
                        writer.Flush();
                        if (size + WindowLead > window.Length)
                        {
                            ArrayPool<byte>.Shared.Return(window);
                            window = ArrayPool<byte>.Shared.Rent(size + WindowLead);
                        }

                        // Start a little early: the other track's next chunk usually begins just before this sample.
                        windowStart = Math.Max(0, offset - WindowLead);
                        windowLength = ReadFully(source, window, windowStart);
                        if (offset + size > windowStart + windowLength)
                        {
                            ThrowHelper.Throw(MediaFormatError.Truncated, "the source file is shorter than when it was planned", offset);
                        }
                    }

                    writer.Add(window.AsMemory((int)(offset - windowStart), size));
                }
            }

            writer.Flush();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(window);
        }
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
