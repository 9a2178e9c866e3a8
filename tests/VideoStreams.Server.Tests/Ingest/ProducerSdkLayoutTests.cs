using System.Globalization;
using System.Net;
using VideoStreams.Media.Matroska;

namespace VideoStreams.Server.Tests.Ingest;

/// <summary>
/// A stream shaped like the KVS producer SDK's: unknown-size Segment and Clusters, ABSOLUTE timecodes (cluster
/// Timestamp = epoch ms, TimestampScale 1 ms), V_MPEG4/ISO/AVC with its avcC, fragment metadata as Tags before each
/// cluster (a persistent tag repeated every fragment, and a one-off tag).
/// </summary>
public sealed class ProducerSdkLayoutTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const long FirstClusterMs = 1_764_100_000_123;
    private const int Fragments = 5;

    private static byte[] SdkStream()
    {
        using var mkv = new ProducerMkv(
            ebml: new EbmlHeader("matroska", 2, 2),
            info: new MatroskaSegmentInfo { TimestampScale = 1_000_000, Title = "Kinesis Video SDK", MuxingApp = "Kinesis Video SDK", WritingApp = "Kinesis Video SDK" });
        for (var i = 0; i < Fragments; i++)
        {
            // Producers keep their own clock: fragments are not exactly 1000 ms apart.
            var at = FirstClusterMs + (i * 1000L) + (i % 2);
            var tags = new List<(string, string)> { ("camera", "lobby") };
            if (i == 2)
            {
                tags.Add(("motion", "detected"));
            }

            mkv.Tags([.. tags]).Cluster(at, i, unknownSize: true);
        }

        return mkv.ToArray();
    }

    private static long ClusterMs(int i) => FirstClusterMs + (i * 1000L) + (i % 2);

    [Fact]
    public async Task A_producer_sdk_shaped_stream_with_absolute_timecodes_and_metadata_is_persisted_and_read_back_with_its_tags()
    {
        using var client = server.CreateClient();
        var name = KvsHttp.UniqueName("sdk");
        await client.CreateStreamAsync(name, retentionHours: 24);
        var body = SdkStream();

        var answer = await client.PutMediaAsync(name, new MemoryStream(body), "ABSOLUTE", startMs: FirstClusterMs - 5000);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        answer.NoErrors();
        var expected = Enumerable.Range(0, Fragments).Select(ClusterMs).ToList();
        // ABSOLUTE: the ack's FragmentTimecode is the cluster timecode as sent.
        Assert.Equal(expected, answer.OfType("PERSISTED").Select(a => a.GetProperty("FragmentTimecode").GetInt64()));

        // Producer timestamps are the absolute cluster timecodes themselves (the start-timestamp header is not added).
        var listed = await client.ListFragmentsAsync(name);
        Assert.Equal(expected, listed.Select(f => f.ProducerMs));
        Assert.Equal(answer.OfType("PERSISTED").Select(a => a.GetProperty("FragmentNumber").GetString()), listed.Select(f => f.Number));
        Assert.All(listed, f => Assert.InRange(f.DurationMs, 950, 1050));

        // ListFragments has no metadata; GetMedia gives each fragment its own Tags back, next to KVS's.
        var media = await client.GetMediaEarliestAsync(name, Fragments);
        var chunks = IngestReads.ChunkTags(media);
        Assert.Equal(Fragments, chunks.Count);
        Assert.All(chunks, c => Assert.Equal("lobby", c.GetValueOrDefault("camera")));
        Assert.Equal([false, false, true, false, false], chunks.Select(c => c.GetValueOrDefault("motion") == "detected"));
        Assert.Equal(
            expected.Select(ms => (ms / 1000.0).ToString("0.000", CultureInfo.InvariantCulture)),
            IngestReads.Tags(media, "AWS_KINESISVIDEO_PRODUCER_TIMESTAMP"));
        Assert.Equal(TestVideo.Gops.Take(Fragments).Sum(g => g.Count), IngestReads.DecodedVideoFrames(media));
    }
}
