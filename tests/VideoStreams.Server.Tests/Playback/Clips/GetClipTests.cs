using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using VideoStreams.Media.Matroska;
using VideoStreams.Server.Playback;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Tests.Playback.Clips;

public sealed class GetClipTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const long ProducerStart = 1_700_000_000_000;
    private const long ServerStart = 1_700_000_500_000;

    private readonly HttpClient _client = server.CreateClient();

    private async Task<(string Name, IReadOnlyList<FragmentEntry> Entries)> SeededAsync(int copies = 1)
    {
        var name = KvsHttp.UniqueName("clip");
        await _client.CreateStreamAsync(name, retentionHours: 24);
        var entries = new List<FragmentEntry>();
        for (var c = 0; c < copies; c++)
        {
            // Each copy continues where the previous ended: one long recording of 1 s fragments.
            var step = PlaybackSeed.SourceClusters * 1000L * c;
            entries.AddRange(await PlaybackSeed.SeedAsync(server, name, ProducerStart + step, ServerStart + step));
        }

        return (name, entries);
    }

    private static object Selector(string type, double start, double end) =>
        new { FragmentSelectorType = type, TimestampRange = new { StartTimestamp = start, EndTimestamp = end } };

    private async Task<HttpResponseMessage> GetClipAsync(object body)
    {
        using var content = new StringContent(System.Text.Json.JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        return await _client.PostAsync("getClip", content);
    }

    [Fact]
    public async Task GetClip_returns_an_mp4_with_moov_first_holding_exactly_the_fragments_starting_inside_the_range()
    {
        var (name, entries) = await SeededAsync();
        // [second start + 0.5 s, fourth start]: the second fragment starts before Start and is left out; the fourth
        // starts exactly at End and is in (inclusive).
        var start = (entries[1].ProducerTimestampMs + 500) / 1000.0;
        var end = entries[3].ProducerTimestampMs / 1000.0;
        using var response = await GetClipAsync(new { StreamName = name, ClipFragmentSelector = Selector("PRODUCER_TIMESTAMP", start, end) });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("video/mp4", response.Content.Headers.ContentType?.MediaType);
        var mp4 = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(mp4.Length, response.Content.Headers.ContentLength);
        var clip = ClipKit.Judge(mp4);

        var expected = ClipKit.StoredVideoFrameSizes(server, entries.Skip(2));
        Assert.Equal(expected, clip.Video.OrderBy(p => p.Dts).Select(p => p.Size));
        Assert.True(clip.Video.OrderBy(p => p.Dts).First().Key, "the clip starts at a keyframe");
        // 10 fps: the first frame is presented at 0 and the last 0.1 s per frame later.
        Assert.Equal(0, clip.FirstPts, 3);
        Assert.Equal((expected.Count - 1) * 0.1, clip.LastPts - clip.FirstPts, 3);
    }

    [Fact]
    public async Task GetClip_by_server_timestamp_selects_on_arrival_times()
    {
        var (name, entries) = await SeededAsync();
        var start = entries[0].ServerTimestampMs / 1000.0;
        var end = entries[1].ServerTimestampMs / 1000.0;
        using var response = await GetClipAsync(new { StreamName = name, ClipFragmentSelector = Selector("SERVER_TIMESTAMP", start, end) });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var clip = ClipKit.Judge(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(ClipKit.StoredVideoFrameSizes(server, entries.Take(2)), clip.Video.OrderBy(p => p.Dts).Select(p => p.Size));
    }

    [Fact]
    public async Task GetClip_holds_at_most_the_first_200_fragments()
    {
        var (name, entries) = await SeededAsync(copies: 51);
        Assert.True(entries.Count > 200);
        using var response = await GetClipAsync(new
        {
            StreamName = name,
            ClipFragmentSelector = Selector("PRODUCER_TIMESTAMP", ProducerStart / 1000.0, (entries[^1].ProducerTimestampMs / 1000.0) + 1),
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var clip = ClipKit.Judge(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(ClipKit.StoredVideoFrameSizes(server, entries.Take(200)), clip.Video.OrderBy(p => p.Dts).Select(p => p.Size));
    }

    [Theory]
    [InlineData("{\"StreamName\":\"$\"}", "ClipFragmentSelector")]
    [InlineData("{\"StreamName\":\"$\",\"ClipFragmentSelector\":{\"FragmentSelectorType\":\"NOW\",\"TimestampRange\":{\"StartTimestamp\":1700000000,\"EndTimestamp\":1700000010}}}", "FragmentSelectorType")]
    [InlineData("{\"StreamName\":\"$\",\"ClipFragmentSelector\":{\"FragmentSelectorType\":\"PRODUCER_TIMESTAMP\"}}", "TimestampRange")]
    [InlineData("{\"StreamName\":\"$\",\"ClipFragmentSelector\":{\"FragmentSelectorType\":\"PRODUCER_TIMESTAMP\",\"TimestampRange\":{\"EndTimestamp\":1700000010}}}", "StartTimestamp")]
    [InlineData("{\"StreamName\":\"$\",\"ClipFragmentSelector\":{\"FragmentSelectorType\":\"PRODUCER_TIMESTAMP\",\"TimestampRange\":{\"StartTimestamp\":1700000000}}}", "EndTimestamp")]
    [InlineData("{\"StreamName\":\"$\",\"ClipFragmentSelector\":{\"FragmentSelectorType\":\"PRODUCER_TIMESTAMP\",\"TimestampRange\":{\"StartTimestamp\":1700000010,\"EndTimestamp\":1700000000}}}", "after the start")]
    [InlineData("{\"StreamName\":\"$\",\"ClipFragmentSelector\":{\"FragmentSelectorType\":\"PRODUCER_TIMESTAMP\",\"TimestampRange\":{\"StartTimestamp\":1700000000,\"EndTimestamp\":1700000000}}}", "after the start")]
    [InlineData("{\"StreamName\":\"$\",\"ClipFragmentSelector\":{\"FragmentSelectorType\":\"PRODUCER_TIMESTAMP\",\"TimestampRange\":{\"StartTimestamp\":1700000000,\"EndTimestamp\":1700086401}}}", "24 hours")]
    [InlineData("{\"StreamName\":\"$\",\"ClipFragmentSelector\":{\"FragmentSelectorType\":\"SERVER_TIMESTAMP\",\"TimestampRange\":{\"StartTimestamp\":3999999000,\"EndTimestamp\":4000000000}}}", "in the past")]
    [InlineData("{\"StreamName\":\"$\",\"ClipFragmentSelector\":{\"FragmentSelectorType\":\"PRODUCER_TIMESTAMP\",\"TimestampRange\":{\"StartTimestamp\":\"soon\",\"EndTimestamp\":1700000010}}}", "")]
    public async Task GetClip_refuses_each_bad_field_with_InvalidArgument_and_the_stream_still_serves(string body, string mentions)
    {
        var (name, entries) = await SeededAsync();
        (await _client.KvsRawAsync("/getClip", body.Replace("$", name, StringComparison.Ordinal))).Invalid(mentions);

        using var after = await GetClipAsync(new
        {
            StreamName = name,
            ClipFragmentSelector = Selector("PRODUCER_TIMESTAMP", entries[0].ProducerTimestampMs / 1000.0, entries[^1].ProducerTimestampMs / 1000.0),
        });
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(ClipKit.StoredVideoFrameSizes(server, entries), ClipKit.Judge(await after.Content.ReadAsByteArrayAsync()).Video.OrderBy(p => p.Dts).Select(p => p.Size));
    }

    [Fact]
    public async Task GetClip_on_a_retention_0_stream_is_NoDataRetention_and_on_a_missing_stream_ResourceNotFound()
    {
        var name = KvsHttp.UniqueName("clip0");
        await _client.CreateStreamAsync(name, retentionHours: 0);
        var selector = Selector("PRODUCER_TIMESTAMP", 1_700_000_000, 1_700_000_010);
        (await _client.KvsAsync("/getClip", new { StreamName = name, ClipFragmentSelector = selector }))
            .Error(HttpStatusCode.BadRequest, "NoDataRetentionException");
        (await _client.KvsAsync("/getClip", new { StreamName = KvsHttp.UniqueName("nothere"), ClipFragmentSelector = selector }))
            .Error(HttpStatusCode.NotFound, "ResourceNotFoundException");
        await _client.AssertServingAsync();
    }

    [Fact]
    public async Task GetClip_of_a_range_without_fragments_is_ResourceNotFound()
    {
        var (name, entries) = await SeededAsync();
        var after = (entries[^1].ProducerTimestampMs / 1000.0) + 60;
        (await _client.KvsAsync("/getClip", new { StreamName = name, ClipFragmentSelector = Selector("PRODUCER_TIMESTAMP", after, after + 10) }))
            .Error(HttpStatusCode.NotFound, "ResourceNotFoundException");
    }

    [Theory]
    [InlineData("none", "MissingCodecPrivateDataException")]
    [InlineData("empty", "MissingCodecPrivateDataException")]
    [InlineData("garbage", "InvalidCodecPrivateDataException")]
    [InlineData("hevc", "UnsupportedStreamMediaTypeException")]
    public async Task GetClip_of_fragments_whose_tracks_cannot_make_an_mp4_names_the_codec_problem(string variant, string error)
    {
        var (source, entries) = await SeededAsync();
        var store = server.Services.GetRequiredService<FragmentStore>();
        var name = KvsHttp.UniqueName("clipbad");
        await _client.CreateStreamAsync(name, retentionHours: 24);
        var stream = store.Streams.Describe(new Storage.Streams.StreamRef(name, null)).Value!;
        var original = store.Read(entries[0]).Value!;
        var (info, tracks) = SessionHeader.From(original.Tags)!.Value;
        var video = tracks[0];
        List<KeyValuePair<string, string>> tags = variant switch
        {
            "none" => [],
            "empty" => [new(SessionHeader.TagName, SessionHeader.Encode(info, [Copy(video, video.CodecId, ReadOnlyMemory<byte>.Empty)]))],
            "garbage" => [new(SessionHeader.TagName, SessionHeader.Encode(info, [Copy(video, video.CodecId, new byte[] { 1, 2, 3 })]))],
            _ => [new(SessionHeader.TagName, SessionHeader.Encode(info, [Copy(video, "V_MPEGH/ISO/HEVC", video.CodecPrivate)]))],
        };
        var appended = store.Append(stream.Id, new NewFragment(ProducerStart, ServerStart, 1000, FragmentFlags.StartsWithKeyframe | FragmentFlags.HasVideo, original.Media, tags));
        Assert.True((await appended.Value!.Persisted).IsSuccess);

        (await _client.KvsAsync("/getClip", new { StreamName = name, ClipFragmentSelector = Selector("PRODUCER_TIMESTAMP", ProducerStart / 1000.0, (ProducerStart / 1000.0) + 5) }))
            .Error(HttpStatusCode.BadRequest, error);
        // An operator sees it as a failed GetClip, named, in /metrics (not counted as a success).
        // (The count is recorded once the answer is out, so the scrape may come first: look again for a while.)
        var counted = new System.Text.RegularExpressions.Regex($$"""videostreams_server_errors_total\{[^}]*error="{{error}}"[^}]*operation="GetClip"[^}]*\} [1-9]""");
        var metrics = "";
        for (var attempt = 0; attempt < 100 && !counted.IsMatch(metrics); attempt++)
        {
            await Task.Delay(attempt == 0 ? 0 : 100);
            metrics = await _client.GetStringAsync("/metrics");
        }

        Assert.True(counted.IsMatch(metrics), "no GetClip error counted for " + error + "; the scrape's error series:\n"
            + string.Join('\n', metrics.Split('\n').Where(l => l.StartsWith("videostreams_server_errors_total", StringComparison.Ordinal))));
        // The good stream is untouched.
        using var good = await GetClipAsync(new { StreamName = source, ClipFragmentSelector = Selector("PRODUCER_TIMESTAMP", ProducerStart / 1000.0, (ProducerStart / 1000.0) + 5) });
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
    }

    private static MatroskaTrack Copy(MatroskaTrack t, string codecId, ReadOnlyMemory<byte> codecPrivate) => new()
    {
        Number = t.Number,
        Uid = t.Uid,
        Type = t.Type,
        CodecId = codecId,
        CodecPrivate = codecPrivate,
        PixelWidth = t.PixelWidth,
        PixelHeight = t.PixelHeight,
    };
}
