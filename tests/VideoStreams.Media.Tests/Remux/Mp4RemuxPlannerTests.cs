using System.Buffers;
using VideoStreams.Media.Matroska;
using VideoStreams.Media.Remux;
using VideoStreams.TestSupport;

namespace VideoStreams.Media.Tests.Remux;

public sealed class Mp4RemuxPlannerTests
{
    [Fact]
    public async Task Pieces_appended_one_cluster_at_a_time_plan_the_same_mp4_as_the_whole_file()
    {
        var mkv = await File.ReadAllBytesAsync(Samples.PathOf(Samples.Main360p30Aac));
        var whole = Mp4Remuxer.Plan(mkv);
        var (header, clusters) = Split(mkv);

        var planner = new Mp4RemuxPlanner();
        planner.Append(header);
        var starts = new List<long>();
        foreach (var (start, length, _) in clusters)
        {
            starts.Add(planner.Position);
            planner.Append(mkv.AsMemory((int)start, length));
        }

        var pieces = planner.Build();
        Assert.Equal(whole.Layout.Header.ToArray(), pieces.Layout.Header.ToArray());
        Assert.Equal(whole.Layout.FileSize, pieces.Layout.FileSize);

        // Every sample's bytes are found again from its piece: the same file comes out.
        var expected = new ArrayBufferWriter<byte>();
        whole.WriteTo(mkv, expected);
        var actual = new ArrayBufferWriter<byte>();
        actual.Write(pieces.Layout.Header.Span);
        foreach (var chunk in pieces.Layout.Chunks)
        {
            for (var i = chunk.FirstSample; i < chunk.FirstSample + chunk.SampleCount; i++)
            {
                var virtualOffset = pieces.SourceOffset(chunk.TrackIndex, i);
                var piece = starts.FindLastIndex(s => s <= virtualOffset);
                var fileOffset = clusters[piece].Start + (virtualOffset - starts[piece]);
                actual.Write(mkv.AsSpan((int)fileOffset, pieces.Samples(chunk.TrackIndex)[i].Size));
            }
        }

        Assert.True(expected.WrittenSpan.SequenceEqual(actual.WrittenSpan));
    }

    [Fact]
    public async Task Clusters_placed_at_given_times_share_one_timeline_whatever_their_own_timestamps()
    {
        var mkv = await File.ReadAllBytesAsync(Samples.PathOf(Samples.Main360p30Aac));
        var whole = Mp4Remuxer.Plan(mkv);
        var (header, clusters) = Split(mkv);

        // The same clusters, as if each came from a recording whose clock restarted (its own timestamps count from a
        // far-off origin): placing each at its true start gives back the original timing.
        var planner = new Mp4RemuxPlanner();
        planner.Append(header);
        foreach (var (start, length, timestampMs) in clusters)
        {
            planner.Append(mkv.AsMemory((int)start, length), 1_700_000_000_000 + timestampMs);
        }

        var rebased = planner.Build();
        for (var t = 0; t < whole.Tracks.Count; t++)
        {
            Assert.Equal(whole.Samples(t).ToArray(), rebased.Samples(t).ToArray());
        }
    }

    [Fact]
    public async Task A_piece_that_ends_inside_an_element_is_refused()
    {
        var mkv = await File.ReadAllBytesAsync(Samples.PathOf(Samples.Main360p30Aac));
        var (header, clusters) = Split(mkv);
        var planner = new Mp4RemuxPlanner();
        planner.Append(header);
        var (start, length, _) = clusters[0];
        var error = Assert.Throws<MediaFormatException>(() => planner.Append(mkv.AsMemory((int)start, length - 10)));
        Assert.Equal(MediaFormatError.Truncated, error.Error);
    }

    /// <summary>The document start up to the first cluster, and each cluster's place and timestamp (ms).</summary>
    private static (ReadOnlyMemory<byte> Header, List<(long Start, int Length, long TimestampMs)> Clusters) Split(byte[] mkv)
    {
        var clusters = new List<(long, int, long)>();
        long first = -1, start = 0, timestamp = 0;
        new MatroskaReader().ReadAll(mkv, (MatroskaReader r, in MatroskaEvent e) =>
        {
            if (e.Kind == MatroskaEventKind.ClusterStart)
            {
                start = r.ClusterOffset;
                first = first < 0 ? start : first;
                timestamp = r.ClusterTimestamp * (long)r.Info.TimestampScale / 1_000_000;
            }
            else if (e.Kind == MatroskaEventKind.ClusterEnd)
            {
                clusters.Add((start, (int)(e.Offset - start), timestamp));
            }
        });
        Assert.True(clusters.Count >= 2);
        return (mkv.AsMemory(0, (int)first), clusters);
    }
}
