using System.Net;
using Microsoft.Extensions.DependencyInjection;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Streams;

namespace VideoStreams.Server.Tests.Ingest;

public sealed class PutMediaTests : IClassFixture<ServerFixture>
{
    private readonly ServerFixture _server;

    public PutMediaTests(ServerFixture server) => _server = server;

    private FragmentStore Store => _server.Services.GetRequiredService<FragmentStore>();

    private IReadOnlyList<FragmentEntry> Fragments(string stream)
    {
        var id = Store.Streams.Describe(StreamRef.ByName(stream)).Value!.Id;
        return Store.Index.ListByTime(id, TimestampKind.Producer, 0, long.MaxValue, 1000).Fragments;
    }

    private static async Task<PutMediaAnswer> PutFileAsync(HttpClient client, string stream, string sample)
    {
        await using var file = File.OpenRead(PutMediaClient.Sample(sample));
        return await client.PutMediaAsync(stream, file);
    }

    [Fact]
    public async Task A_live_mkv_is_acked_buffering_received_persisted_per_cluster_and_stored_with_producer_timestamps()
    {
        using var client = _server.CreateClient();
        await client.CreateStreamAsync("ingest-live");

        var answer = await PutFileAsync(client, "ingest-live", "live-high-1280x720-30fps-aac.mkv");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        answer.NoErrors();
        var persisted = answer.OfType("PERSISTED").ToList();
        Assert.NotEmpty(persisted);
        Assert.Equal(answer.OfType("BUFFERING").Count(), persisted.Count);
        Assert.Equal(answer.OfType("RECEIVED").Count(), persisted.Count);
        var stored = Fragments("ingest-live");
        Assert.Equal(persisted.Count, stored.Count);
        Assert.Equal(
            persisted.Select(a => a.GetProperty("FragmentNumber").GetString()).Order(),
            stored.Select(f => FragmentNumber.Format(f.Number)).Order());
        Assert.All(stored, f => Assert.True(f.ProducerTimestampMs >= PutMediaClient.StartMs));
        Assert.All(stored, f => Assert.True(f.DurationMs > 0));
        Assert.All(stored, f => Assert.True(f.Flags.HasFlag(FragmentFlags.StartsWithKeyframe)));
        var first = persisted[0];
        Assert.Equal(PutMediaClient.StartMs + first.GetProperty("FragmentTimecode").GetInt64(), stored[0].ProducerTimestampMs);
    }

    [Fact]
    public async Task A_resend_of_persisted_fragments_is_acked_with_the_same_numbers_and_stored_once()
    {
        using var client = _server.CreateClient();
        await client.CreateStreamAsync("ingest-resend");
        var first = await PutFileAsync(client, "ingest-resend", "live-high-1280x720-30fps-aac.mkv");
        var count = Fragments("ingest-resend").Count;

        var again = await PutFileAsync(client, "ingest-resend", "live-high-1280x720-30fps-aac.mkv");

        again.NoErrors();
        Assert.Equal(
            first.OfType("PERSISTED").Select(a => a.GetProperty("FragmentNumber").GetString()),
            again.OfType("PERSISTED").Select(a => a.GetProperty("FragmentNumber").GetString()));
        Assert.Equal(count, Fragments("ingest-resend").Count);
    }

    [Fact]
    public async Task An_unknown_stream_is_refused_with_404_before_streaming()
    {
        using var client = _server.CreateClient();
        var answer = await client.PutMediaAsync("no-such-stream", new MemoryStream([1, 2, 3]));
        Assert.Equal(HttpStatusCode.NotFound, answer.Status);
    }

    [Fact]
    public async Task A_garbage_body_ends_with_error_4006_and_the_stream_stays_usable()
    {
        using var client = _server.CreateClient();
        await client.CreateStreamAsync("ingest-garbage");

        var answer = await client.PutMediaAsync("ingest-garbage", new MemoryStream([.. Enumerable.Range(0, 5000).Select(i => (byte)(i * 7))]));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal([4006], answer.ErrorIds);
        var good = await PutFileAsync(client, "ingest-garbage", "tiny-160x120-10fps-aac.mkv");
        good.NoErrors();
        Assert.NotEmpty(good.OfType("PERSISTED"));
    }

    [Fact]
    public async Task A_truncated_cluster_is_acked_error_and_earlier_fragments_stay_stored()
    {
        using var client = _server.CreateClient();
        await client.CreateStreamAsync("ingest-truncated");
        var bytes = await File.ReadAllBytesAsync(PutMediaClient.Sample("live-high-1280x720-30fps-aac.mkv"));

        var answer = await client.PutMediaAsync("ingest-truncated", new MemoryStream(bytes[..(bytes.Length * 2 / 3)]));

        Assert.True(answer.ErrorIds.Contains(4006), answer.ToString());
        var persisted = answer.OfType("PERSISTED").Count();
        Assert.True(persisted > 0);
        Assert.Equal(persisted, Fragments("ingest-truncated").Count);
    }

    [Fact]
    public async Task Timecodes_going_backwards_are_acked_4004_and_the_session_goes_on()
    {
        using var client = _server.CreateClient();
        await client.CreateStreamAsync("ingest-backwards");
        var bytes = await File.ReadAllBytesAsync(PutMediaClient.Sample("live-high-1280x720-30fps-aac.mkv"));

        // The live layout has a Segment of unknown size, so clusters may follow on. The same document twice in one body is two Segments: KVS refuses the second (4006), not 4004. So the body
        // is the document once, then its clusters again (timecodes starting over).
        var clusters = ClustersOf(bytes);
        var body = bytes.Concat(bytes[clusters..]).ToArray();
        var answer = await client.PutMediaAsync("ingest-backwards", new MemoryStream(body));

        Assert.True(answer.ErrorIds.Contains(4004), answer.ToString());
        Assert.NotEmpty(answer.OfType("PERSISTED"));
    }

    /// <summary>Offset of the first Cluster element (id 1F 43 B6 75).</summary>
    private static int ClustersOf(byte[] mkv) => mkv.AsSpan().IndexOf((ReadOnlySpan<byte>)[0x1F, 0x43, 0xB6, 0x75]);
}
