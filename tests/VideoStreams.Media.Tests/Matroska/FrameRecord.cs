using System.Buffers;
using VideoStreams.Media.Matroska;

namespace VideoStreams.Media.Tests.Matroska;

/// <summary>A frame copied out of the reader, so it can be compared after the reader has moved on.</summary>
internal sealed record FrameRecord(ulong Track, long Timestamp, bool IsKeyframe, long Duration, long DataOffset, byte[] Data)
{
    public static FrameRecord From(in MatroskaFrame f) => new(f.TrackNumber, f.Timestamp, f.IsKeyframe, f.Duration, f.DataOffset, f.Data.ToArray());

    public bool SameAs(FrameRecord other) =>
        Track == other.Track && Timestamp == other.Timestamp && IsKeyframe == other.IsKeyframe && Duration == other.Duration
        && DataOffset == other.DataOffset && Data.AsSpan().SequenceEqual(other.Data);
}

/// <summary>Everything a read produced, for comparisons between ways of feeding the reader.</summary>
internal sealed class ReadLog
{
    public List<MatroskaEventKind> Events { get; } = [];

    public List<FrameRecord> Frames { get; } = [];

    public List<(long Offset, long Timestamp)> Clusters { get; } = [];

    public IReadOnlyList<MatroskaTrack> Tracks { get; set; } = [];

    public MatroskaSegmentInfo Info { get; set; } = new();

    public List<MatroskaTag> Tags { get; } = [];

    public void Record(MatroskaReader reader, in MatroskaEvent ev)
    {
        Events.Add(ev.Kind);
        switch (ev.Kind)
        {
            case MatroskaEventKind.Frame:
                Frames.Add(FrameRecord.From(ev.Frame));
                break;
            case MatroskaEventKind.ClusterStart:
                Clusters.Add((reader.ClusterOffset, reader.ClusterTimestamp));
                break;
            case MatroskaEventKind.Tracks:
                Tracks = reader.Tracks;
                break;
            case MatroskaEventKind.Info:
                Info = reader.Info;
                break;
            case MatroskaEventKind.Tags:
                Tags.AddRange(reader.LastTags);
                break;
        }
    }

    /// <summary>Reads all of <paramref name="data"/> at once.</summary>
    public static ReadLog ReadWhole(byte[] data, MatroskaReaderOptions? options = null)
    {
        var log = new ReadLog();
        new MatroskaReader(options).ReadAll(data, log.Record);
        return log;
    }

    /// <summary>
    /// Feeds <paramref name="data"/> in chunks whose sizes come from <paramref name="nextChunk"/>, keeping unconsumed bytes
    /// in a growing buffer as a pipe would; the buffer is made of separate segments so slices cross segment borders.
    /// </summary>
    public static ReadLog ReadChunked(byte[] data, Func<int> nextChunk, MatroskaReaderOptions? options = null)
    {
        var log = new ReadLog();
        var reader = new MatroskaReader(options);
        var pending = new List<byte[]>();
        var offered = 0;
        while (true)
        {
            var isFinal = offered == data.Length;
            if (!isFinal)
            {
                var n = Math.Min(Math.Max(1, nextChunk()), data.Length - offered);
                pending.Add(data.AsSpan(offered, n).ToArray());
                offered += n;
                isFinal = offered == data.Length;
            }

            var sequence = TestSequence.Create(pending);
            var sr = new SequenceReader<byte>(sequence);
            while (reader.TryRead(ref sr, out var ev, isFinal))
            {
                log.Record(reader, ev);
            }

            if (isFinal)
            {
                return log;
            }

            // Keep only the unconsumed tail, as PipeReader.AdvanceTo does.
            var rest = sequence.Slice(sr.Position);
            pending = rest.IsEmpty ? [] : [rest.ToArray()];
        }
    }
}
