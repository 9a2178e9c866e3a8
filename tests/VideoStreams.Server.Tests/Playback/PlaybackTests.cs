using System.Net;
using System.Text;
using System.Text.Json;
using VideoStreams.Server.Tests.Ingest;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Tests.Playback;

public sealed class PlaybackTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const long ProducerStart = 1_700_000_000_000;
    private const long ServerStart = 1_700_000_500_000;

    private readonly HttpClient _client = server.CreateClient();

    private async Task<(string Name, IReadOnlyList<FragmentEntry> Entries)> SeededStreamAsync()
    {
        var name = KvsHttp.UniqueName("play");
        await _client.CreateStreamAsync(name, retentionHours: 24);
        return (name, await PlaybackSeed.SeedAsync(server, name, ProducerStart, ServerStart));
    }

    private async Task<List<JsonElement>> ListAllAsync(string name, string type, double from, double to, int pageSize)
    {
        var all = new List<JsonElement>();
        var answer = (await _client.KvsAsync("/listFragments", new { StreamName = name, MaxResults = pageSize, FragmentSelector = new { FragmentSelectorType = type, TimestampRange = new { StartTimestamp = from, EndTimestamp = to } } })).Ok();
        while (true)
        {
            var page = answer.Body.GetProperty("Fragments").EnumerateArray().ToList();
            Assert.True(page.Count <= pageSize);
            all.AddRange(page);
            if (!answer.Body.TryGetProperty("NextToken", out var token))
            {
                return all;
            }

            answer = (await _client.KvsAsync("/listFragments", new { StreamName = name, MaxResults = pageSize, NextToken = token.GetString() })).Ok();
        }
    }

    [Fact]
    public async Task ListFragments_pages_through_every_fragment_by_producer_timestamp_with_kvs_fields()
    {
        var (name, entries) = await SeededStreamAsync();
        var listed = await ListAllAsync(name, "PRODUCER_TIMESTAMP", ProducerStart / 1000.0, (ProducerStart / 1000.0) + 3600, pageSize: 2);

        Assert.Equal(entries.Select(e => FragmentNumber.Format(e.Number)), listed.Select(f => f.GetProperty("FragmentNumber").GetString()));
        var first = listed[0];
        Assert.Equal(entries[0].ProducerTimestampMs / 1000.0, first.GetProperty("ProducerTimestamp").GetDouble(), 3);
        Assert.Equal(entries[0].ServerTimestampMs / 1000.0, first.GetProperty("ServerTimestamp").GetDouble(), 3);
        Assert.Equal(entries[0].Size, first.GetProperty("FragmentSizeInBytes").GetInt64());
        Assert.Equal(entries[0].DurationMs, first.GetProperty("FragmentLengthInMilliseconds").GetInt64());
    }

    [Fact]
    public async Task ListFragments_by_server_timestamp_returns_only_fragments_starting_inside_the_range()
    {
        var (name, entries) = await SeededStreamAsync();
        // Server starts are 1 s apart: [second, third] inclusive holds exactly those two.
        var listed = await ListAllAsync(name, "SERVER_TIMESTAMP", entries[1].ServerTimestampMs / 1000.0, entries[2].ServerTimestampMs / 1000.0, pageSize: 1000);

        Assert.Equal([FragmentNumber.Format(entries[1].Number), FragmentNumber.Format(entries[2].Number)], listed.Select(f => f.GetProperty("FragmentNumber").GetString()));
    }

    [Fact]
    public async Task GetMediaForFragmentList_returns_the_fragments_in_the_order_asked_as_valid_mkv()
    {
        var (name, entries) = await SeededStreamAsync();
        var asked = entries.Reverse().Select(e => FragmentNumber.Format(e.Number)).ToList();
        using var response = await _client.PostAsync("/getMediaForFragmentList", Json(new { StreamName = name, Fragments = asked }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(asked, IngestReads.Tags(bytes, "AWS_KINESISVIDEO_FRAGMENT_NUMBER"));
        Assert.Equal(asked.Count, IngestReads.Tags(bytes, "camera").Count);
        Assert.Empty(IngestReads.Tags(bytes, "AWS_VIDEOSTREAMS_SESSION_HEADER"));
        AssertPlayable(bytes, expectedFrames: null);
    }

    [Fact]
    public async Task GetMedia_from_EARLIEST_streams_every_fragment_with_kvs_tags_and_follows_the_live_edge()
    {
        var (name, entries) = await SeededStreamAsync();
        var bytes = await GetMediaAsync(new { StreamName = name, StartSelector = new { StartSelectorType = "EARLIEST" } }, entries.Count);

        var numbers = entries.Select(e => FragmentNumber.Format(e.Number)).ToList();
        Assert.Equal(numbers, IngestReads.Tags(bytes, "AWS_KINESISVIDEO_FRAGMENT_NUMBER"));
        Assert.Equal(numbers, IngestReads.Tags(bytes, "AWS_KINESISVIDEO_CONTINUATION_TOKEN"));
        Assert.Equal(entries.Select(e => $"{e.ProducerTimestampMs / 1000}.{e.ProducerTimestampMs % 1000:D3}"), IngestReads.Tags(bytes, "AWS_KINESISVIDEO_PRODUCER_TIMESTAMP"));
        Assert.Equal(entries.Select(e => $"{e.ServerTimestampMs / 1000}.{e.ServerTimestampMs % 1000:D3}"), IngestReads.Tags(bytes, "AWS_KINESISVIDEO_SERVER_TIMESTAMP"));
        Assert.All(IngestReads.Tags(bytes, "AWS_KINESISVIDEO_MILLIS_BEHIND_NOW"), v => Assert.True(long.Parse(v, System.Globalization.CultureInfo.InvariantCulture) >= 0));
        AssertPlayable(bytes, expectedFrames: 40);
    }

    [Fact]
    public async Task GetMedia_from_FRAGMENT_NUMBER_starts_after_that_fragment_and_a_continuation_token_resumes()
    {
        var (name, entries) = await SeededStreamAsync();
        var bytes = await GetMediaAsync(new { StreamName = name, StartSelector = new { StartSelectorType = "FRAGMENT_NUMBER", AfterFragmentNumber = FragmentNumber.Format(entries[0].Number) } }, entries.Count - 1);
        Assert.Equal(entries.Skip(1).Select(e => FragmentNumber.Format(e.Number)), IngestReads.Tags(bytes, "AWS_KINESISVIDEO_FRAGMENT_NUMBER"));

        var token = IngestReads.Tags(bytes, "AWS_KINESISVIDEO_CONTINUATION_TOKEN")[0];
        var resumed = await GetMediaAsync(new { StreamName = name, StartSelector = new { StartSelectorType = "CONTINUATION_TOKEN", ContinuationToken = token } }, entries.Count - 2);
        Assert.Equal(entries.Skip(2).Select(e => FragmentNumber.Format(e.Number)), IngestReads.Tags(resumed, "AWS_KINESISVIDEO_FRAGMENT_NUMBER"));
    }

    [Fact]
    public async Task Bad_read_requests_get_the_kvs_error_and_the_server_keeps_serving()
    {
        var (name, _) = await SeededStreamAsync();
        var range = new { FragmentSelectorType = "SERVER_TIMESTAMP", TimestampRange = new { StartTimestamp = 0, EndTimestamp = 2e9 } };
        (await _client.KvsAsync("/listFragments", new { StreamName = "no-such-stream", FragmentSelector = range })).Error(HttpStatusCode.NotFound, "ResourceNotFoundException");
        (await _client.KvsAsync("/listFragments", new { StreamName = name, MaxResults = 0, FragmentSelector = range })).Invalid("MaxResults");
        (await _client.KvsAsync("/listFragments", new { StreamName = name, MaxResults = 1001, FragmentSelector = range })).Invalid("MaxResults");
        (await _client.KvsAsync("/listFragments", new { StreamName = name, FragmentSelector = new { FragmentSelectorType = "WALL_CLOCK", range.TimestampRange } })).Invalid("FragmentSelectorType");
        (await _client.KvsAsync("/listFragments", new { StreamName = name, NextToken = "Zm9v" })).Invalid("NextToken");
        (await _client.KvsAsync("/getMedia", new { StreamName = "no-such-stream", StartSelector = new { StartSelectorType = "EARLIEST" } })).Error(HttpStatusCode.NotFound, "ResourceNotFoundException");
        (await _client.KvsAsync("/getMedia", new { StreamName = name, StartSelector = new { StartSelectorType = "SOMETIME" } })).Invalid("StartSelectorType");
        (await _client.KvsAsync("/getMedia", new { StreamName = name, StartSelector = new { StartSelectorType = "FRAGMENT_NUMBER", AfterFragmentNumber = "12ab" } })).Invalid("AfterFragmentNumber");
        (await _client.KvsAsync("/getMediaForFragmentList", new { StreamName = name, Fragments = new[] { "not-a-number" } })).Invalid("Fragments");
        (await _client.KvsAsync("/getMediaForFragmentList", new { StreamName = name, Fragments = Array.Empty<string>() })).Invalid("Fragments");
        await _client.AssertServingAsync();
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    /// <summary>Reads a GetMedia response until <paramref name="chunks"/> chunks have ended, then hangs up (it never ends by itself).</summary>
    private async Task<byte[]> GetMediaAsync(object body, int chunks)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/getMedia") { Content = Json(body) };
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("video/webm", response.Content.Headers.ContentType?.MediaType);
        await using var stream = await response.Content.ReadAsStreamAsync(cancel.Token);
        return await IngestReads.ReadChunksAsync(stream, chunks, cancel.Token);
    }

    private static void AssertPlayable(byte[] mkv, int? expectedFrames)
    {
        var path = Path.Combine(Path.GetTempPath(), $"vs-getmedia-{Guid.NewGuid():N}.mkv");
        File.WriteAllBytes(path, mkv);
        try
        {
            var frames = PlaybackSeed.Run("ffprobe", $"-v error -count_frames -select_streams v:0 -show_entries stream=codec_name,nb_read_frames -of csv=p=0 {path}");
            Assert.StartsWith("h264,", frames.Trim(), StringComparison.Ordinal);
            if (expectedFrames is { } n)
            {
                Assert.Equal($"h264,{n}", frames.Trim());
            }

            var info = PlaybackSeed.Run("mkvinfo", path);
            Assert.Contains("AWS_KINESISVIDEO_FRAGMENT_NUMBER", info, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
