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
    private const int WindowSize = 8 << 20;
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

    /// <summary>Writes the MP4 for a source held in memory.</summary>
    public void WriteTo(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        destination.Write(Layout.Header.Span);
        foreach (var chunk in Layout.Chunks)
        {
            var offsets = _sourceOffsets[chunk.TrackIndex];
            var sizes = SampleSizes(chunk.TrackIndex);
            for (var i = chunk.FirstSample; i < chunk.FirstSample + chunk.SampleCount; i++)
            {
                destination.Write(source.Slice(checked((int)offsets[i]), sizes[i].Size));
            }
        }
    }

    /// <summary>
    /// Writes the MP4 reading frames from a file. Chunks are about a second of one track each and the tracks' chunks
    /// alternate in time order, so a sliding window over the source serves consecutive chunks with few reads.
    /// </summary>
    public void WriteTo(SafeFileHandle source, Stream destination)
    {
        var window = ArrayPool<byte>.Shared.Rent(WindowSize);
        var output = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long windowStart = 0;
            var windowLength = 0;
            var used = 0;
            destination.Write(Layout.Header.Span);
            foreach (var chunk in Layout.Chunks)
            {
                var offsets = _sourceOffsets[chunk.TrackIndex];
                var sizes = SampleSizes(chunk.TrackIndex);
                for (var i = chunk.FirstSample; i < chunk.FirstSample + chunk.SampleCount; i++)
                {
                    var (offset, size) = (offsets[i], sizes[i].Size);
                    if (offset < windowStart || offset + size > windowStart + windowLength)
                    {
                        if (size > window.Length)
                        {
                            ArrayPool<byte>.Shared.Return(window);
                            window = ArrayPool<byte>.Shared.Rent(size);
                        }

                        windowStart = offset;
                        windowLength = ReadFully(source, window, offset);
                        if (windowLength < size)
                        {
                            ThrowHelper.Throw(MediaFormatError.Truncated, "the source file is shorter than when it was read", offset);
                        }
                    }

                    var data = window.AsSpan((int)(offset - windowStart), size);
                    if (used + size > output.Length)
                    {
                        destination.Write(output, 0, used);
                        used = 0;
                    }

                    if (size >= output.Length)
                    {
                        destination.Write(data);
                    }
                    else
                    {
                        data.CopyTo(output.AsSpan(used));
                        used += size;
                    }
                }
            }

            destination.Write(output, 0, used);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(window);
            ArrayPool<byte>.Shared.Return(output);
        }
    }

    /// <summary>The MP4 samples of a track, in decode order.</summary>
    public ReadOnlySpan<Mp4Sample> Samples(int trackIndex) => _samples[trackIndex];

    private ReadOnlySpan<Mp4Sample> SampleSizes(int trackIndex) => _samples[trackIndex];

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
