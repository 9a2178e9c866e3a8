using VideoStreams.Media.Matroska;
using VideoStreams.Server.Tests.Playback;

namespace VideoStreams.Server.Tests.Crash;

/// <summary>One cluster of the source: its timecode (ms, TimestampScale 1 ms) and where its bytes are.</summary>
internal readonly record struct SourceCluster(long Timecode, int Offset, int Length);

/// <summary>
/// A long live stream for the crash tests: ffmpeg's own live Matroska of a test pattern, 80 clusters of 0.2 s (each
/// starting on a keyframe), and where each cluster's bytes are — found with our reader the way ingest finds them, so
/// a stored fragment can be compared byte for byte with what the producer sent.
/// </summary>
internal sealed class LiveSource
{
    private static readonly Lazy<LiveSource> Shared = new(Encode);

    private LiveSource(byte[] bytes, IReadOnlyList<SourceCluster> clusters)
    {
        Bytes = bytes;
        Clusters = clusters;
    }

    public static LiveSource Instance => Shared.Value;

    /// <summary>The whole body: EBML header, Segment (unknown size), Info, Tracks, Tags, then the clusters.</summary>
    public byte[] Bytes { get; }

    public IReadOnlyList<SourceCluster> Clusters { get; }

    public ReadOnlyMemory<byte> Cluster(SourceCluster cluster) => Bytes.AsMemory(cluster.Offset, cluster.Length);

    private static LiveSource Encode()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vs-crash-source-{Guid.NewGuid():N}.mkv");
        try
        {
            PlaybackSeed.Run("ffmpeg", "-v error -f lavfi -i testsrc2=size=320x180:rate=25 -t 16 -c:v libx264 -preset ultrafast -tune zerolatency "
                + $"-g 5 -keyint_min 5 -sc_threshold 0 -f matroska -live 1 -cluster_size_limit 5000000 -cluster_time_limit 200 -y {path}");
            var bytes = File.ReadAllBytes(path);
            var clusters = new List<SourceCluster>();
            long start = -1, timecode = 0;
            ulong scale = 0;
            new MatroskaReader().ReadAll(bytes, (MatroskaReader r, in MatroskaEvent e) =>
            {
                switch (e.Kind)
                {
                    case MatroskaEventKind.Info:
                        scale = r.Info.TimestampScale;
                        break;
                    case MatroskaEventKind.ClusterStart:
                        start = r.ClusterOffset;
                        timecode = r.ClusterTimestamp;
                        break;
                    case MatroskaEventKind.ClusterEnd:
                        clusters.Add(new SourceCluster(timecode, (int)start, (int)(e.Offset - start)));
                        break;
                }
            });
            // Producer timestamps are start + timecode only when a tick is a millisecond.
            Assert.Equal(1_000_000UL, scale);
            Assert.True(clusters.Count >= 60, $"ffmpeg wrote {clusters.Count} clusters");
            Assert.True(clusters.Zip(clusters.Skip(1)).All(p => p.First.Timecode < p.Second.Timecode), "cluster timecodes must increase");
            return new LiveSource(bytes, clusters);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
