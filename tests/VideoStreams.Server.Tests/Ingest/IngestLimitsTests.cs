using System.Net;
using System.Text.Json;

namespace VideoStreams.Server.Tests.Ingest;

/// <summary>A server with small ingest limits (config section VideoStreams:Ingest), so the bad cases stay small and fast.</summary>
public sealed class IngestLimitsFixture : IAsyncLifetime
{
    public const int MaxFragmentBytes = 100_000;
    public const int MaxFragmentDurationMs = 2_000;

    internal ServerFixture Server { get; } = new([
        "--VideoStreams:Ingest:MaxFragmentBytes", $"{MaxFragmentBytes}",
        "--VideoStreams:Ingest:MaxFragmentDurationMs", $"{MaxFragmentDurationMs}",
        "--VideoStreams:Ingest:IdleAckInterval", "00:00:00.200",
    ]);

    public Task InitializeAsync() => Server.InitializeAsync();

    public Task DisposeAsync() => Server.DisposeAsync();
}

/// <summary>
/// Bad input over real HTTP: each case gets KVS's ERROR ack (or ends the session where KVS does), and the stream stays
/// usable — a following good PutMedia persists and the fragments stored before are still there, unchanged.
/// </summary>
public sealed class IngestLimitsTests(IngestLimitsFixture limits) : IClassFixture<IngestLimitsFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private ServerFixture Server => limits.Server;

    private static long Timecode(JsonElement ack) => ack.GetProperty("FragmentTimecode").GetInt64();

    private static List<long> Timecodes(PutMediaAnswer answer, string type) => [.. answer.OfType(type).Select(Timecode)];

    private async Task<(HttpClient Client, string Name)> NewStreamAsync(string prefix)
    {
        var client = Server.CreateClient();
        var name = KvsHttp.UniqueName(prefix);
        await client.CreateStreamAsync(name, retentionHours: 24);
        return (client, name);
    }

    /// <summary>A later good PutMedia persists, and every fragment listed before is still listed, unchanged.</summary>
    private static async Task AssertStillUsableAsync(HttpClient client, string name, long startMs = PutMediaClient.StartMs + 600_000)
    {
        var before = await client.ListFragmentsAsync(name);
        var good = await client.PutMediaAsync(name, new MemoryStream(ProducerMkv.Clusters(2)), startMs: startMs);
        Assert.Equal(HttpStatusCode.OK, good.Status);
        good.NoErrors();
        Assert.Equal(2, good.OfType("PERSISTED").Count());
        var after = await client.ListFragmentsAsync(name);
        Assert.Equal(before.Count + 2, after.Count);
        Assert.Subset(after.ToHashSet(), before.ToHashSet());
    }

    [Fact]
    public async Task A_fragment_over_the_size_limit_is_acked_4001_and_the_fragments_around_it_persist()
    {
        var (client, name) = await NewStreamAsync("too-big");
        using var mkv = new ProducerMkv();
        mkv.Cluster(0, 0).Cluster(1000, 1, keyframePadding: IngestLimitsFixture.MaxFragmentBytes).Cluster(2000, 2);

        var answer = await client.PutMediaAsync(name, new MemoryStream(mkv.ToArray()));

        Assert.Equal([4001], answer.ErrorIds);
        Assert.Equal([1000L], answer.OfType("ERROR").Select(Timecode));
        Assert.Equal([0L, 2000L], Timecodes(answer, "PERSISTED"));
        Assert.Equal([PutMediaClient.StartMs, PutMediaClient.StartMs + 2000], (await client.ListFragmentsAsync(name)).Select(f => f.ProducerMs));
        await AssertStillUsableAsync(client, name);
    }

    [Fact]
    public async Task A_fragment_over_the_duration_limit_is_acked_4002_and_the_fragments_around_it_persist()
    {
        var (client, name) = await NewStreamAsync("too-long");
        using var mkv = new ProducerMkv();
        // Ten frames 300 ms apart: the last starts 2.7 s into the cluster (limit 2 s).
        mkv.Cluster(0, 0).Cluster(1000, 1, stretch: 3).Cluster(4000, 2);

        var answer = await client.PutMediaAsync(name, new MemoryStream(mkv.ToArray()));

        Assert.Equal([4002], answer.ErrorIds);
        Assert.Equal([1000L], answer.OfType("ERROR").Select(Timecode));
        Assert.Equal([0L, 4000L], Timecodes(answer, "PERSISTED"));
        await AssertStillUsableAsync(client, name);
    }

    [Fact]
    public async Task A_block_for_an_undeclared_track_ends_the_session_with_4010_and_keeps_the_fragments_before_it()
    {
        var (client, name) = await NewStreamAsync("stray-track");
        using var mkv = new ProducerMkv();
        mkv.Cluster(0, 0).Cluster(1000, 1, strayTrack: 9).Cluster(2000, 2);

        var answer = await client.PutMediaAsync(name, new MemoryStream(mkv.ToArray()));

        // The block cannot be skipped safely (its track's layout is unknown), so the session ends there, as on bad MKV.
        Assert.Equal([4010], answer.ErrorIds);
        Assert.Equal([1000L], answer.OfType("ERROR").Select(Timecode));
        Assert.Equal([0L], Timecodes(answer, "PERSISTED"));
        Assert.Equal([PutMediaClient.StartMs], (await client.ListFragmentsAsync(name)).Select(f => f.ProducerMs));
        await AssertStillUsableAsync(client, name);
    }

    [Fact]
    public async Task More_than_three_tracks_end_the_session_with_4012_before_any_fragment()
    {
        var (client, name) = await NewStreamAsync("four-tracks");
        var video = TestVideo.Track;
        using var mkv = new ProducerMkv([video, video with { Number = 2, Uid = 2 }, video with { Number = 3, Uid = 3 }, video with { Number = 4, Uid = 4 }]);
        mkv.Cluster(0, 0).Cluster(1000, 1);

        var answer = await client.PutMediaAsync(name, new MemoryStream(mkv.ToArray()));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal([4012], answer.ErrorIds);
        Assert.Empty(answer.OfType("PERSISTED"));
        Assert.Empty(await client.ListFragmentsAsync(name));
        await AssertStillUsableAsync(client, name);
    }

    [Fact]
    public async Task Fragment_metadata_over_the_limits_is_acked_4009_per_fragment_and_metadata_at_the_limits_is_kept()
    {
        var (client, name) = await NewStreamAsync("metadata");
        var atLimit = Enumerable.Range(0, 10).Select(i => ($"{i}".PadRight(128, 'n'), new string('v', 256))).ToArray();
        using var mkv = new ProducerMkv();
        mkv.Tags([.. Enumerable.Range(0, 11).Select(i => ($"tag{i}", "x"))]).Cluster(0, 0)   // 11 tags
            .Tags(("AWS_KINESISVIDEO_FRAGMENT_NUMBER", "1")).Cluster(1000, 1)                 // KVS's own name
            .Tags((new string('n', 129), "x")).Cluster(2000, 2)                              // name too long
            .Tags(("note", new string('v', 257))).Cluster(3000, 3)                            // value too long
            .Tags(atLimit).Cluster(4000, 4)                                                   // 10 tags, 128/256: fine
            .Cluster(5000, 5);                                                                // no metadata

        var answer = await client.PutMediaAsync(name, new MemoryStream(mkv.ToArray()));

        Assert.Equal([4009, 4009, 4009, 4009], answer.ErrorIds);
        Assert.Equal([0L, 1000L, 2000L, 3000L], answer.OfType("ERROR").Select(Timecode));
        Assert.Equal([4000L, 5000L], Timecodes(answer, "PERSISTED"));
        var media = await client.GetMediaEarliestAsync(name, 2);
        var chunks = IngestReads.ChunkTags(media);
        Assert.All(atLimit, t => Assert.Equal(t.Item2, chunks[0].GetValueOrDefault(t.Item1)));
        Assert.DoesNotContain(chunks[1].Keys, k => !k.StartsWith("AWS_KINESISVIDEO_", StringComparison.Ordinal));
        await AssertStillUsableAsync(client, name);
    }

    [Fact]
    public async Task A_second_putmedia_mid_fragment_takes_over_the_first_ends_cleanly_and_keeps_what_it_acked()
    {
        var (client, name) = await NewStreamAsync("takeover");
        using var mkv = new ProducerMkv();
        mkv.Cluster(0, 0).Cluster(1000, 1).Cluster(2000, 2);
        var body = mkv.ToArray();
        var third = mkv.ClusterStarts[2];

        // The first producer sends two fragments and half of the third, then stalls.
        await using var first = await RawPutMedia.StartAsync(Server.BaseUrl, name);
        await first.WriteAsync(body.AsMemory(0, third + ((body.Length - third) / 2)));
        while (Timecodes(new PutMediaAnswer(HttpStatusCode.OK, first.Seen), "PERSISTED").Count < 2
            || !Timecodes(new PutMediaAnswer(HttpStatusCode.OK, first.Seen), "BUFFERING").Contains(2000))
        {
            Assert.NotNull(await first.NextAckAsync(Patience));
        }

        // A second PutMedia for the same stream (a reconnecting camera) sends its own fragments.
        var second = await client.PutMediaAsync(name, new MemoryStream(ProducerMkv.Clusters(3)), startMs: PutMediaClient.StartMs + 60_000);
        var firstAnswer = await first.FinishAsync(Patience);

        Assert.Equal(HttpStatusCode.OK, second.Status);
        second.NoErrors();
        Assert.Equal([0L, 1000L, 2000L], Timecodes(second, "PERSISTED"));
        // The first session ended without an error; the fragment it had open was never acked, nor stored.
        Assert.Equal(HttpStatusCode.OK, firstAnswer.Status);
        firstAnswer.NoErrors();
        Assert.Equal([0L, 1000L], Timecodes(firstAnswer, "PERSISTED"));
        Assert.Equal([0L, 1000L], Timecodes(firstAnswer, "RECEIVED"));
        var listed = await client.ListFragmentsAsync(name);
        long[] expected = [PutMediaClient.StartMs, PutMediaClient.StartMs + 1000, .. new[] { 0L, 1000, 2000 }.Select(t => PutMediaClient.StartMs + 60_000 + t)];
        Assert.Equal(expected, listed.Select(f => f.ProducerMs));
        Assert.Equal(
            [.. firstAnswer.OfType("PERSISTED").Concat(second.OfType("PERSISTED")).Select(a => a.GetProperty("FragmentNumber").GetString())],
            listed.Select(f => f.Number));

        var metrics = await client.GetStringAsync("metrics");
        Assert.Contains(metrics.Split('\n'), l => l.StartsWith("videostreams_ingest_takeovers", StringComparison.Ordinal) && l.Contains($"stream=\"{name}\"", StringComparison.Ordinal) && l.EndsWith(" 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_paused_producer_gets_idle_acks_and_its_session_goes_on_when_data_resumes()
    {
        var (_, name) = await NewStreamAsync("idle");
        using var mkv = new ProducerMkv();
        mkv.Cluster(0, 0).Cluster(1000, 1).Cluster(2000, 2);
        var body = mkv.ToArray();

        await using var producer = await RawPutMedia.StartAsync(Server.BaseUrl, name);
        await producer.WriteAsync(body.AsMemory(0, mkv.ClusterStarts[2]));
        Assert.Equal(0, Timecode(await producer.WaitForAsync("PERSISTED", Patience)));

        // Nothing more is sent until the server has said IDLE (interval 200 ms here).
        await producer.WaitForAsync("IDLE", Patience);
        await producer.WriteAsync(body.AsMemory(mkv.ClusterStarts[2]));
        var answer = await producer.FinishAsync(Patience);

        answer.NoErrors();
        Assert.Equal([0L, 1000L, 2000L], Timecodes(answer, "PERSISTED"));
        Assert.DoesNotContain(answer.OfType("IDLE"), a => a.TryGetProperty("FragmentNumber", out _));
    }
}
