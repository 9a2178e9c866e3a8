using System.Net;
using System.Text.Json;
using VideoStreams.Server.Tests.Ingest;
using static VideoStreams.Server.Tests.Playback.GetMediaStream;

namespace VideoStreams.Server.Tests.Playback;

/// <summary>
/// GetMedia following the live edge while a camera pushes with PutMedia, over real HTTP: stored streams (PERSISTED
/// fragments) and retention-0 streams (never stored: served from the live hub and its recent buffer).
/// </summary>
public sealed class LiveGetMediaTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Sample = "live-high-1280x720-30fps-aac.mkv"; // 3 clusters, 180 video frames
    private const int SampleFragments = 3;
    private const int SampleFrames = 180;

    private readonly HttpClient _client = server.CreateClient();

    private async Task<PutMediaAnswer> PutAsync(string stream, string sample = Sample, long startMs = PutMediaClient.StartMs)
    {
        await using var file = File.OpenRead(PutMediaClient.Sample(sample));
        var answer = await _client.PutMediaAsync(stream, file, startMs: startMs);
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        answer.NoErrors();
        return answer;
    }

    private static List<string> Numbers(IEnumerable<JsonElement> acks) => [.. acks.Select(a => a.GetProperty("FragmentNumber").GetString()!)];

    /// <summary>RELATIVE timecodes: the producer start plus the first fragment's cluster timecode, as KVS writes it.</summary>
    private static string FirstProducerTimestamp(PutMediaAnswer answer)
    {
        var ms = PutMediaClient.StartMs + answer.OfType("RECEIVED").First().GetProperty("FragmentTimecode").GetInt64();
        return $"{ms / 1000}.{ms % 1000:D3}";
    }

    private static object Now(string stream) => new { StreamName = stream, StartSelector = new { StartSelectorType = "NOW" } };

    [Fact]
    public async Task GetMedia_NOW_opened_before_any_PutMedia_receives_every_fragment_in_order_with_kvs_tags_and_plays()
    {
        var name = KvsHttp.UniqueName("live-now");
        await _client.CreateStreamAsync(name, retentionHours: 1);
        await using var reader = await OpenAsync(_client, Now(name));

        var answer = await PutAsync(name);
        var bytes = await reader.ReadChunksAsync(SampleFragments);

        // In RECEIVED order (fragment-number order); PERSISTED acks may come in another order (see the report).
        var persisted = Numbers(answer.OfType("RECEIVED"));
        Assert.Equal(persisted.Order(StringComparer.Ordinal), Numbers(answer.OfType("PERSISTED")).Order(StringComparer.Ordinal));
        Assert.Equal(SampleFragments, persisted.Count);
        Assert.Equal(persisted, Tags(bytes, "AWS_KINESISVIDEO_FRAGMENT_NUMBER"));
        Assert.Equal(persisted, Tags(bytes, "AWS_KINESISVIDEO_CONTINUATION_TOKEN"));
        var producer = Tags(bytes, "AWS_KINESISVIDEO_PRODUCER_TIMESTAMP");
        Assert.Equal(FirstProducerTimestamp(answer), producer[0]);
        Assert.Equal(producer.Order(StringComparer.Ordinal), producer);
        Assert.Equal(SampleFragments, Tags(bytes, "AWS_KINESISVIDEO_SERVER_TIMESTAMP").Count);
        Assert.All(Tags(bytes, "AWS_KINESISVIDEO_MILLIS_BEHIND_NOW"), v => Assert.True(long.Parse(v, System.Globalization.CultureInfo.InvariantCulture) >= 0));
        Assert.Empty(Tags(bytes, "AWS_VIDEOSTREAMS_SESSION_HEADER"));
        Assert.Equal(SampleFrames, AssertPlayable(bytes));
    }

    [Fact]
    public async Task A_retention_0_stream_is_acked_RECEIVED_never_PERSISTED_lists_nothing_and_GetMedia_NOW_gets_every_fragment()
    {
        var name = KvsHttp.UniqueName("live-r0");
        await _client.CreateStreamAsync(name, retentionHours: 0);
        await using var reader = await OpenAsync(_client, Now(name));

        var answer = await PutAsync(name);
        var bytes = await reader.ReadChunksAsync(SampleFragments);

        var received = Numbers(answer.OfType("RECEIVED"));
        Assert.Equal(SampleFragments, received.Count);
        Assert.Empty(answer.OfType("PERSISTED"));
        var listed = (await _client.KvsAsync("/listFragments", new
        {
            StreamName = name,
            FragmentSelector = new { FragmentSelectorType = "SERVER_TIMESTAMP", TimestampRange = new { StartTimestamp = 0, EndTimestamp = 4e9 } },
        })).Ok().Body.GetProperty("Fragments");
        Assert.Equal(0, listed.GetArrayLength());
        Assert.Equal(received, Tags(bytes, "AWS_KINESISVIDEO_FRAGMENT_NUMBER"));
        Assert.Equal(received, Tags(bytes, "AWS_KINESISVIDEO_CONTINUATION_TOKEN"));
        Assert.Equal(FirstProducerTimestamp(answer), Tags(bytes, "AWS_KINESISVIDEO_PRODUCER_TIMESTAMP")[0]);
        Assert.Equal(SampleFrames, AssertPlayable(bytes));
    }

    [Fact]
    public async Task A_retention_0_stream_answers_every_selector_from_its_recent_buffer_like_the_kvs_host_buffer()
    {
        var name = KvsHttp.UniqueName("live-r0-buffer");
        await _client.CreateStreamAsync(name, retentionHours: 0);
        var received = Numbers((await PutAsync(name)).OfType("RECEIVED"));

        await using (var earliest = await OpenAsync(_client, new { StreamName = name, StartSelector = new { StartSelectorType = "EARLIEST" } }))
        {
            var bytes = await earliest.ReadChunksAsync(SampleFragments);
            Assert.Equal(received, Tags(bytes, "AWS_KINESISVIDEO_FRAGMENT_NUMBER"));
            Assert.Equal(SampleFrames, AssertPlayable(bytes));
        }

        await using (var after = await OpenAsync(_client, new { StreamName = name, StartSelector = new { StartSelectorType = "FRAGMENT_NUMBER", AfterFragmentNumber = received[0] } }))
        {
            Assert.Equal(received.Skip(1), Tags(await after.ReadChunksAsync(SampleFragments - 1), "AWS_KINESISVIDEO_FRAGMENT_NUMBER"));
        }

        await using (var now = await OpenAsync(_client, Now(name)))
        {
            Assert.Equal([received[^1]], Tags(await now.ReadChunksAsync(1), "AWS_KINESISVIDEO_FRAGMENT_NUMBER"));
        }

        // The second fragment starts at producer time StartMs + its cluster timecode; a time inside it starts there.
        var bytesFromStart = await ReadOnceAsync(new { StreamName = name, StartSelector = new { StartSelectorType = "EARLIEST" } }, SampleFragments);
        var secondStart = Tags(bytesFromStart, "AWS_KINESISVIDEO_PRODUCER_TIMESTAMP")[1];
        var inside = double.Parse(secondStart, System.Globalization.CultureInfo.InvariantCulture) + 0.010;
        await using (var atTime = await OpenAsync(_client, new { StreamName = name, StartSelector = new { StartSelectorType = "PRODUCER_TIMESTAMP", StartTimestamp = inside } }))
        {
            Assert.Equal(received.Skip(1), Tags(await atTime.ReadChunksAsync(SampleFragments - 1), "AWS_KINESISVIDEO_FRAGMENT_NUMBER"));
        }
    }

    [Fact]
    public async Task A_continuation_token_at_the_live_edge_of_a_retention_0_stream_resumes_with_the_next_session_only()
    {
        var name = KvsHttp.UniqueName("live-r0-token");
        await _client.CreateStreamAsync(name, retentionHours: 0);
        var first = Numbers((await PutAsync(name)).OfType("RECEIVED"));
        await using var reader = await OpenAsync(_client, new { StreamName = name, StartSelector = new { StartSelectorType = "CONTINUATION_TOKEN", ContinuationToken = first[^1] } });

        var second = Numbers((await PutAsync(name, startMs: PutMediaClient.StartMs + 60_000)).OfType("RECEIVED"));
        var bytes = await reader.ReadChunksAsync(SampleFragments);

        Assert.Equal(second, Tags(bytes, "AWS_KINESISVIDEO_FRAGMENT_NUMBER"));
        Assert.All(second, n => Assert.True(string.CompareOrdinal(n, first[^1]) > 0, "fragment numbers keep increasing"));
    }

    [Fact]
    public async Task A_new_PutMedia_session_with_other_tracks_mid_GetMedia_gets_documents_declaring_the_new_tracks()
    {
        var name = KvsHttp.UniqueName("live-tracks");
        await _client.CreateStreamAsync(name, retentionHours: 1);
        await using var reader = await OpenAsync(_client, Now(name));

        var first = Numbers((await PutAsync(name)).OfType("RECEIVED"));
        var second = Numbers((await PutAsync(name, "tiny-160x120-10fps-aac.mkv", PutMediaClient.StartMs + 60_000)).OfType("RECEIVED"));
        var bytes = await reader.ReadChunksAsync(first.Count + second.Count);

        Assert.True(first.Count == SampleFragments && second.Count > 0, $"acked {first.Count} then {second.Count} fragments");
        Assert.Equal([.. first, .. second], Tags(bytes, "AWS_KINESISVIDEO_FRAGMENT_NUMBER"));
        // Every chunk is a whole document (EBML header, Segment, Info, Tracks): the new session's chunks declare its tracks.
        Assert.Equal([.. first.Select(_ => 1280), .. second.Select(_ => 160)], VideoWidths(bytes));
        Assert.True(AssertPlayable(bytes) > SampleFrames);
    }

    private async Task<byte[]> ReadOnceAsync(object request, int chunks)
    {
        await using var reader = await OpenAsync(_client, request);
        return await reader.ReadChunksAsync(chunks);
    }
}
