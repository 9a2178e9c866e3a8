using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using VideoStreams.Media.Matroska;
using VideoStreams.Server.Playback;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Tests.Playback;

/// <summary>
/// Real H.264 fragments for the read tests: ffmpeg encodes a few seconds of test pattern into MKV with 1 s clusters,
/// and each cluster is appended to the server's own store as ingest stores it (the cluster bytes as received, the
/// session header in its fragment tag).
/// </summary>
internal static class PlaybackSeed
{
    private static readonly Lazy<(MatroskaSegmentInfo Info, IReadOnlyList<MatroskaTrack> Tracks, List<(long Timecode, byte[] Cluster)> Clusters)> Source = new(Encode);

    public static int SourceClusters => Source.Value.Clusters.Count;

    /// <summary>Appends the clusters to the stream (retention must be > 0) and waits until they are PERSISTED.</summary>
    /// <returns>The stored entries, in order.</returns>
    public static async Task<IReadOnlyList<FragmentEntry>> SeedAsync(ServerFixture server, string streamName, long producerStartMs, long serverStartMs)
    {
        var store = server.Services.GetRequiredService<FragmentStore>();
        var stream = store.Streams.Describe(new Storage.Streams.StreamRef(streamName, null)).Value!;
        var (info, tracks, clusters) = Source.Value;
        var header = SessionHeader.Encode(info, tracks);
        var entries = new List<FragmentEntry>();
        for (var i = 0; i < clusters.Count; i++)
        {
            var (timecode, cluster) = clusters[i];
            var next = i + 1 < clusters.Count ? clusters[i + 1].Timecode : timecode + 1000;
            var appended = store.Append(stream.Id, new NewFragment(
                producerStartMs + timecode, serverStartMs + (i * 1000L), (int)(next - timecode), FragmentFlags.StartsWithKeyframe | FragmentFlags.HasVideo,
                cluster, [new(SessionHeader.TagName, header), new("camera", "lobby")]));
            Assert.True(appended.IsSuccess, appended.Message);
            var persisted = await appended.Value!.Persisted;
            Assert.True(persisted.IsSuccess, persisted.Message);
            entries.Add(persisted.Value);
        }

        return entries;
    }

    private static (MatroskaSegmentInfo, IReadOnlyList<MatroskaTrack>, List<(long, byte[])>) Encode()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vs-playback-{Guid.NewGuid():N}.mkv");
        try
        {
            Run("ffmpeg", $"-v error -f lavfi -i testsrc2=size=160x120:rate=10 -t 4 -c:v libx264 -g 10 -keyint_min 10 -sc_threshold 0 -f matroska -cluster_time_limit 1000 -cluster_size_limit 5000000 -y {path}");
            var bytes = File.ReadAllBytes(path);
            var clusters = new List<(long, byte[])>();
            IReadOnlyList<MatroskaTrack> tracks = [];
            MatroskaSegmentInfo info = new();
            long start = -1, timecode = 0;
            new MatroskaReader().ReadAll(bytes, (MatroskaReader r, in MatroskaEvent e) =>
            {
                switch (e.Kind)
                {
                    case MatroskaEventKind.Tracks:
                        tracks = r.Tracks;
                        info = r.Info;
                        break;
                    case MatroskaEventKind.ClusterStart:
                        start = r.ClusterOffset;
                        timecode = r.ClusterTimestamp;
                        break;
                    case MatroskaEventKind.ClusterEnd:
                        clusters.Add((timecode, bytes[(int)start..(int)e.Offset]));
                        break;
                }
            });
            Assert.True(clusters.Count >= 3, $"ffmpeg wrote {clusters.Count} clusters");
            return (info, tracks, clusters);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Runs a tool and returns its standard output; fails the test on a non-zero exit.</summary>
    public static string Run(string tool, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{tool} {arguments} exited with {process.ExitCode}: {error.Result}");
        // Standard output only: ffprobe reports each chained GetMedia document (a new unknown-size Segment) on stderr,
        // as it does for KVS's own GetMedia output; the frame count is what matters.
        return output.Result;
    }
}
