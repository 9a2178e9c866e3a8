using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Tests.Playback.Clips;

public sealed class ClipEndpointTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const long ProducerStart = 1_700_000_000_000;
    private const long ServerStart = 1_700_000_500_000;

    private readonly HttpClient _client = server.CreateClient();

    private async Task<(string Name, IReadOnlyList<FragmentEntry> Entries)> SeededAsync()
    {
        var name = KvsHttp.UniqueName("clipr");
        await _client.CreateStreamAsync(name, retentionHours: 24);
        return (name, await PlaybackSeed.SeedAsync(server, name, ProducerStart, ServerStart));
    }

    private static string Url(string name, string start, string end, string? clock = null) =>
        $"v1/streams/{name}/clip?start={Uri.EscapeDataString(start)}&end={Uri.EscapeDataString(end)}" + (clock is null ? "" : $"&clock={clock}");

    private static string Iso(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private async Task<(HttpResponseMessage Response, byte[] Body)> GetAsync(string url, Action<HttpRequestHeaders>? headers = null, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, url);
        headers?.Invoke(request.Headers);
        var response = await _client.SendAsync(request);
        return (response, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task The_clip_starts_at_the_keyframe_at_or_before_start_and_ends_with_the_last_fragment_starting_before_end()
    {
        var (name, entries) = await SeededAsync();
        // Start inside the second fragment, end half-way through the fourth: fragments 2..4 (the fourth starts before end).
        var (response, mp4) = await GetAsync(Url(name, Iso(entries[1].ProducerTimestampMs + 500), (entries[3].ProducerTimestampMs + 500).ToString(System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("video/mp4", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("bytes", response.Headers.AcceptRanges.Single());
        Assert.True(response.Headers.ETag is { IsWeak: false }, "a strong ETag");
        Assert.Equal(mp4.Length, response.Content.Headers.ContentLength);
        var clip = ClipKit.Judge(mp4);
        var expected = ClipKit.StoredVideoFrameSizes(server, entries.Skip(1).Take(3));
        Assert.Equal(expected, clip.Video.OrderBy(p => p.Dts).Select(p => p.Size));
        Assert.Equal(0, clip.FirstPts, 3);
        Assert.Equal((expected.Count - 1) * 0.1, clip.LastPts, 3);

        // A fragment starting exactly at end is not in: end is exclusive.
        var (_, shorter) = await GetAsync(Url(name, Iso(entries[1].ProducerTimestampMs + 500), Iso(entries[3].ProducerTimestampMs)));
        Assert.Equal(ClipKit.StoredVideoFrameSizes(server, entries.Skip(1).Take(2)), ClipKit.Judge(shorter).Video.OrderBy(p => p.Dts).Select(p => p.Size));
    }

    [Fact]
    public async Task On_the_server_clock_the_same_rule_applies_to_arrival_times()
    {
        var (name, entries) = await SeededAsync();
        var (response, mp4) = await GetAsync(Url(name, Iso(entries[0].ServerTimestampMs + 10), Iso(entries[1].ServerTimestampMs + 10), "server"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ClipKit.StoredVideoFrameSizes(server, entries.Take(2)), ClipKit.Judge(mp4).Video.OrderBy(p => p.Dts).Select(p => p.Size));
    }

    [Fact]
    public async Task Range_requests_return_exactly_the_bytes_at_the_same_positions_of_the_full_clip()
    {
        var (name, entries) = await SeededAsync();
        var url = Url(name, Iso(entries[0].ProducerTimestampMs), Iso(entries[^1].ProducerTimestampMs + 1000));
        var (full, whole) = await GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, full.StatusCode);
        var size = whole.Length;
        var header = ClipKit.HeaderLength(whole);
        var middle = size / 2;

        var ranges = new (string Header, long Start, long End)[]
        {
            ("bytes=0-99", 0, 99),
            ($"bytes=0-{header - 1}", 0, header - 1),                   // header only: nothing of any fragment
            ($"bytes={header - 10}-{header + 10}", header - 10, header + 10),
            ($"bytes={middle - 20000}-{middle + 20000}", middle - 20000, middle + 20000), // across fragment boundaries
            ($"bytes={size - 100}-", size - 100, size - 1),
            ("bytes=-500", size - 500, size - 1),
            ($"bytes=10-{size * 2}", 10, size - 1),                     // an end past the file is cut to it
        };
        foreach (var (value, start, end) in ranges)
        {
            var (response, body) = await GetAsync(url, h => h.Range = RangeHeaderValue.Parse(value));
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal($"bytes {start}-{end}/{size}", response.Content.Headers.ContentRange!.ToString());
            Assert.Equal(end - start + 1, response.Content.Headers.ContentLength);
            Assert.True(whole.AsSpan((int)start, (int)(end - start + 1)).SequenceEqual(body), $"{value}: the bytes differ from the full clip's");
        }
    }

    [Fact]
    public async Task Unsatisfiable_ranges_are_416_and_several_ranges_or_a_stale_If_Range_get_the_whole_clip()
    {
        var (name, entries) = await SeededAsync();
        var url = Url(name, Iso(entries[0].ProducerTimestampMs), Iso(entries[^1].ProducerTimestampMs + 1000));
        var (full, whole) = await GetAsync(url);
        var size = whole.Length;

        var (beyond, _) = await GetAsync(url, h => h.Range = new RangeHeaderValue(size, null));
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, beyond.StatusCode);
        Assert.Equal($"bytes */{size}", beyond.Content.Headers.ContentRange!.ToString());

        var (several, severalBody) = await GetAsync(url, h => h.Range = RangeHeaderValue.Parse("bytes=0-9,100-109"));
        Assert.Equal(HttpStatusCode.OK, several.StatusCode);
        Assert.Equal(whole, severalBody);

        var (stale, staleBody) = await GetAsync(url, h =>
        {
            h.Range = RangeHeaderValue.Parse("bytes=0-9");
            h.IfRange = new RangeConditionHeaderValue(new EntityTagHeaderValue("\"0123456789abcdef\""));
        });
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal(whole, staleBody);

        var (fresh, freshBody) = await GetAsync(url, h =>
        {
            h.Range = RangeHeaderValue.Parse("bytes=0-9");
            h.IfRange = new RangeConditionHeaderValue(full.Headers.ETag!);
        });
        Assert.Equal(HttpStatusCode.PartialContent, fresh.StatusCode);
        Assert.Equal(whole[..10], freshBody);
    }

    [Fact]
    public async Task HEAD_answers_the_same_headers_as_GET_without_a_body()
    {
        var (name, entries) = await SeededAsync();
        var url = Url(name, Iso(entries[0].ProducerTimestampMs), Iso(entries[^1].ProducerTimestampMs + 1000));
        var (get, body) = await GetAsync(url);
        var (head, headBody) = await GetAsync(url, method: HttpMethod.Head);

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Empty(headBody);
        Assert.Equal(body.Length, head.Content.Headers.ContentLength);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Equal(get.Content.Headers.LastModified, head.Content.Headers.LastModified);
        Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
        Assert.Equal(get.Headers.AcceptRanges, head.Headers.AcceptRanges);

        var (headRange, _) = await GetAsync(url, h => h.Range = RangeHeaderValue.Parse("bytes=-10"), HttpMethod.Head);
        Assert.Equal(HttpStatusCode.PartialContent, headRange.StatusCode);
        Assert.Equal($"bytes {body.Length - 10}-{body.Length - 1}/{body.Length}", headRange.Content.Headers.ContentRange!.ToString());
    }

    [Fact]
    public async Task A_request_from_a_web_page_gets_CORS_headers()
    {
        var (name, entries) = await SeededAsync();
        var (response, _) = await GetAsync(Url(name, Iso(entries[0].ProducerTimestampMs), Iso(entries[1].ProducerTimestampMs)),
            h => h.Add("Origin", "https://player.example"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("Content-Range", response.Headers.GetValues("Access-Control-Expose-Headers").Single(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("v1/streams/{n}/clip?end=1700000010000", 400, "start")]
    [InlineData("v1/streams/{n}/clip?start=yesterday&end=1700000010000", 400, "start")]
    [InlineData("v1/streams/{n}/clip?start=1700000000000", 400, "end")]
    [InlineData("v1/streams/{n}/clip?start=1700000010000&end=1700000000000", 400, "end")]
    [InlineData("v1/streams/{n}/clip?start=2023-11-14T22:13:20Z&end=2023-11-15T22:13:21Z", 400, "end")]
    [InlineData("v1/streams/{n}/clip?start=1700000000000&end=1700000010000&clock=wall", 400, "clock")]
    [InlineData("v1/streams/{n}/clip?start=1800000000000&end=1800000010000", 404, null)]
    [InlineData("v1/streams/nope-{n}/clip?start=1700000000000&end=1700000010000", 404, null)]
    public async Task Bad_requests_get_a_problem_naming_the_parameter_and_the_stream_still_serves(string path, int status, string? parameter)
    {
        var (name, entries) = await SeededAsync();
        using var response = await _client.GetAsync(path.Replace("{n}", name, StringComparison.Ordinal));
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("detail").GetString()));
        if (parameter is not null)
        {
            Assert.Equal(parameter, problem.RootElement.GetProperty("parameter").GetString());
        }

        var (after, mp4) = await GetAsync(Url(name, Iso(entries[0].ProducerTimestampMs), Iso(entries[1].ProducerTimestampMs)));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        ClipKit.Judge(mp4);
    }

    [Fact]
    public async Task A_retention_0_stream_has_no_clip()
    {
        var name = KvsHttp.UniqueName("clipr0");
        await _client.CreateStreamAsync(name, retentionHours: 0);
        using var response = await _client.GetAsync(Url(name, "1700000000000", "1700000010000"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("retention", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
