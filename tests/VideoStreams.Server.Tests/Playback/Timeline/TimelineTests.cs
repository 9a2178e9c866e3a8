using System.Net;
using System.Text.Json;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Tests.Playback.Timeline;

/// <summary>
/// GET /v1/streams/{name}/extent and /gaps on the real server, with a stream seeded as 1 s fragments at 0–4 s and
/// 10–14 s (PlaybackSeed twice) on both clocks, so 4–10 s is a deliberate gap.
/// </summary>
public sealed class TimelineTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const long ProducerStart = 1_700_000_000_000;
    private const long ServerStart = 1_700_000_500_000;

    private readonly HttpClient _client = server.CreateClient();

    private async Task<(string Name, List<FragmentEntry> Entries)> SeededStreamAsync()
    {
        var name = KvsHttp.UniqueName("tl");
        await _client.CreateStreamAsync(name, retentionHours: 24);
        var entries = new List<FragmentEntry>(await PlaybackSeed.SeedAsync(server, name, ProducerStart, ServerStart));
        entries.AddRange(await PlaybackSeed.SeedAsync(server, name, ProducerStart + 10_000, ServerStart + 10_000));
        return (name, entries);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> GetAsync(string path, string? origin = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        var response = await _client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response);
    }

    private static List<(long Start, long End)> Gaps(JsonElement body) =>
        [.. body.GetProperty("gaps").EnumerateArray().Select(g => (g.GetProperty("startMs").GetInt64(), g.GetProperty("endMs").GetInt64()))];

    [Theory]
    [InlineData("producer", ProducerStart)]
    [InlineData("server", ServerStart)]
    public async Task Extent_is_the_first_start_to_the_last_end_on_either_clock(string clock, long origin)
    {
        var (name, entries) = await SeededStreamAsync();

        var (status, body, _) = await GetAsync($"v1/streams/{name}/extent?clock={clock}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(clock, body.GetProperty("clock").GetString());
        Assert.Equal(origin, body.GetProperty("startMs").GetInt64());
        Assert.Equal(origin + 14_000, body.GetProperty("endMs").GetInt64());
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(origin), DateTimeOffset.Parse(body.GetProperty("start").GetString()!, null));
        Assert.EndsWith("Z", body.GetProperty("end").GetString(), StringComparison.Ordinal);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(origin + 14_000), DateTimeOffset.Parse(body.GetProperty("end").GetString()!, null));
        Assert.Equal(entries.Count, body.GetProperty("fragmentCount").GetInt64());
        Assert.Equal(FragmentNumber.Format(entries[0].Number), body.GetProperty("first").GetProperty("fragmentNumber").GetString());
        Assert.Equal(FragmentNumber.Format(entries[^1].Number), body.GetProperty("last").GetProperty("fragmentNumber").GetString());
        Assert.Equal(origin + 13_000, body.GetProperty("last").GetProperty("startMs").GetInt64());
    }

    [Fact]
    public async Task Extent_defaults_to_the_server_clock_and_is_empty_for_a_stream_without_fragments()
    {
        var (name, _) = await SeededStreamAsync();
        Assert.Equal(ServerStart, (await GetAsync($"v1/streams/{name}/extent")).Body.GetProperty("startMs").GetInt64());

        var empty = KvsHttp.UniqueName("tl-empty");
        await _client.CreateStreamAsync(empty, retentionHours: 24);
        var (status, body, _) = await GetAsync($"v1/streams/{empty}/extent");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(0, body.GetProperty("fragmentCount").GetInt64());
        foreach (var field in new[] { "start", "startMs", "end", "endMs", "first", "last" })
        {
            Assert.Equal(JsonValueKind.Null, body.GetProperty(field).ValueKind);
        }
    }

    [Theory]
    [InlineData("producer", ProducerStart)]
    [InlineData("server", ServerStart)]
    public async Task Gaps_report_the_seeded_gap_exactly_on_either_clock(string clock, long origin)
    {
        var (name, _) = await SeededStreamAsync();

        var (status, body, _) = await GetAsync($"v1/streams/{name}/gaps?start={origin}&end={origin + 14_000}&clock={clock}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal([(origin + 4000, origin + 10_000)], Gaps(body));
        var gap = body.GetProperty("gaps")[0];
        Assert.Equal(6000, gap.GetProperty("durationMs").GetInt64());
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(origin + 4000), DateTimeOffset.Parse(gap.GetProperty("start").GetString()!, null));
        Assert.Equal(6000, body.GetProperty("totalGapMs").GetInt64());
        Assert.Equal(1000, body.GetProperty("minGapMs").GetInt64());
    }

    [Fact]
    public async Task Gaps_take_ISO_times_and_count_the_uncovered_ends_of_the_range()
    {
        var (name, _) = await SeededStreamAsync();
        static string Iso(long ms) => Uri.EscapeDataString(DateTimeOffset.FromUnixTimeMilliseconds(ms).ToOffset(TimeSpan.FromHours(2)).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", null));

        var (status, body, _) = await GetAsync($"v1/streams/{name}/gaps?start={Iso(ServerStart - 2000)}&end={Iso(ServerStart + 16_000)}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("server", body.GetProperty("clock").GetString());
        Assert.Equal([(ServerStart - 2000, ServerStart), (ServerStart + 4000, ServerStart + 10_000), (ServerStart + 14_000, ServerStart + 16_000)], Gaps(body));
    }

    [Fact]
    public async Task MinGapMs_keeps_only_gaps_longer_than_it()
    {
        var (name, _) = await SeededStreamAsync();
        var range = $"start={ProducerStart}&end={ProducerStart + 14_000}&clock=producer";

        Assert.Single(Gaps((await GetAsync($"v1/streams/{name}/gaps?{range}&minGapMs=5999")).Body));
        Assert.Empty(Gaps((await GetAsync($"v1/streams/{name}/gaps?{range}&minGapMs=6000")).Body));
        Assert.Single(Gaps((await GetAsync($"v1/streams/{name}/gaps?{range}&minGapMs=0")).Body));
    }

    [Fact]
    public async Task An_unknown_stream_is_a_404_problem()
    {
        foreach (var path in new[] { "extent", $"gaps?start={ServerStart}&end={ServerStart + 1000}" })
        {
            var (status, body, response) = await GetAsync($"v1/streams/{KvsHttp.UniqueName("nope")}/{path}");
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(404, body.GetProperty("status").GetInt32());
            Assert.Equal("name", body.GetProperty("parameter").GetString());
        }
    }

    [Theory]
    [InlineData("extent?clock=wall", "clock")]
    [InlineData("gaps?start=1700000500000&end=1700000510000&clock=Server", "clock")]
    [InlineData("gaps?end=1700000510000", "start")]
    [InlineData("gaps?start=yesterday&end=1700000510000", "start")]
    [InlineData("gaps?start=2023-11-14T22:13:20&end=1700000510000", "start")]
    [InlineData("gaps?start=1700000500000", "end")]
    [InlineData("gaps?start=1700000500000&end=1700000400000", "end")]
    [InlineData("gaps?start=1700000500000&end=1700000500000", "end")]
    [InlineData("gaps?start=1700000500000&end=1702678900001", "end")]
    [InlineData("gaps?start=1700000500000&end=1700000510000&minGapMs=-1", "minGapMs")]
    [InlineData("gaps?start=1700000500000&end=1700000510000&minGapMs=1s", "minGapMs")]
    [InlineData("gaps?start=1700000500000&end=1700100500000&minGapMs=10", "minGapMs")]
    public async Task A_bad_parameter_is_a_400_problem_naming_it(string path, string parameter)
    {
        var (name, _) = await SeededStreamAsync();

        var (status, body, response) = await GetAsync($"v1/streams/{name}/{path}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(parameter, body.GetProperty("parameter").GetString());
        Assert.Contains(parameter, body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync($"v1/streams/{name}/extent")).Status);
    }

    [Fact]
    public async Task A_bad_stream_name_is_a_400_problem_naming_it()
    {
        var (status, body, _) = await GetAsync($"v1/streams/{Uri.EscapeDataString("no spaces allowed")}/extent");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("name", body.GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task Both_endpoints_send_CORS_headers_to_a_page_on_another_origin()
    {
        var (name, _) = await SeededStreamAsync();
        foreach (var path in new[] { "extent", $"gaps?start={ServerStart}&end={ServerStart + 1000}" })
        {
            var (status, _, response) = await GetAsync($"v1/streams/{name}/{path}", origin: "https://timeline.example");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        }
    }
}
