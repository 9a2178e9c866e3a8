using System.Buffers.Text;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using VideoStreams.Server.Playback.Hls;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Tests.Playback.Hls;

public sealed class HlsTokenTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const long ProducerStart = 1_700_000_000_000;

    private readonly HttpClient _client = server.CreateClient();

    private async Task<(string Name, IReadOnlyList<FragmentEntry> Entries)> SeededAsync()
    {
        var name = KvsHttp.UniqueName("hlstok");
        await _client.CreateStreamAsync(name, retentionHours: 24);
        return (name, await PlaybackSeed.SeedAsync(server, name, ProducerStart, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 5_000));
    }

    private static object OnDemand(string name, long fromMs, long toMs) => new
    {
        StreamName = name,
        PlaybackMode = "ON_DEMAND",
        HLSFragmentSelector = new { FragmentSelectorType = "PRODUCER_TIMESTAMP", TimestampRange = new { StartTimestamp = fromMs / 1000.0, EndTimestamp = toMs / 1000.0 } },
    };

    /// <summary>The session's four resources: master, media playlist, init, first segment.</summary>
    private async Task<Uri[]> ResourcesAsync(Uri master)
    {
        var media = await _client.MediaPlaylistUrlAsync(master);
        var playlist = await _client.PlaylistAsync(media);
        return [master, media, new Uri(media, playlist.Segments[0].Map!), new Uri(media, playlist.Segments[0].Uri)];
    }

    private static string TokenOf(Uri url) => Query(url)["SessionToken"];

    private static Dictionary<string, string> Query(Uri url) =>
        url.Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));

    private static Uri With(Uri url, string name, string? value)
    {
        var query = Query(url);
        if (value is null)
        {
            query.Remove(name);
        }
        else
        {
            query[name] = value;
        }

        return new UriBuilder(url) { Query = string.Join('&', query.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}")) }.Uri;
    }

    private static string Flip(string token, bool inMac)
    {
        var parts = token.Split('.');
        var bytes = Base64Url.DecodeFromChars(parts[inMac ? 1 : 0]);
        bytes[bytes.Length / 2] ^= 0x01;
        parts[inMac ? 1 : 0] = Base64Url.EncodeToString(bytes);
        return string.Join('.', parts);
    }

    private async Task AssertRefusedAsync(Uri url, HttpStatusCode status, string errorType)
    {
        var answer = await _client.FetchAsync(url);
        Assert.True(answer.Status == status, $"{url.AbsolutePath}: expected {(int)status}, got {(int)answer.Status} {answer.Text}");
        Assert.Equal(errorType, answer.Response.Headers.GetValues("x-amzn-ErrorType").Single());
        Assert.Equal("application/json", answer.ContentType);
        Assert.False(string.IsNullOrEmpty(JsonDocument.Parse(answer.Body).RootElement.GetProperty("Message").GetString()));
    }

    [Fact]
    public async Task Expired_altered_missing_and_malformed_tokens_are_refused_on_every_resource()
    {
        var (name, entries) = await SeededAsync();
        var master = await _client.SessionAsync(OnDemand(name, ProducerStart, ProducerStart + 60_000));
        var resources = await ResourcesAsync(master);
        var token = TokenOf(master);
        // Forge the same session, expired a second ago, signed with the server's own secret.
        var tokens = server.Services.GetRequiredService<HlsTokens>();
        var session = HlsSession.TryRead(Base64Url.DecodeFromChars(token.Split('.')[0]))!;
        var expired = tokens.Sign(session with { ExpiresMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1000 });

        foreach (var url in resources)
        {
            Assert.Equal(HttpStatusCode.OK, (await _client.FetchAsync(url)).Status);
            await AssertRefusedAsync(With(url, "SessionToken", expired), HttpStatusCode.Unauthorized, "NotAuthorizedException");
            await AssertRefusedAsync(With(url, "SessionToken", Flip(token, inMac: false)), HttpStatusCode.Unauthorized, "NotAuthorizedException");
            await AssertRefusedAsync(With(url, "SessionToken", Flip(token, inMac: true)), HttpStatusCode.Unauthorized, "NotAuthorizedException");
            await AssertRefusedAsync(With(url, "SessionToken", null), HttpStatusCode.BadRequest, "InvalidArgumentException");
            await AssertRefusedAsync(With(url, "SessionToken", "not-a-token"), HttpStatusCode.BadRequest, "InvalidArgumentException");
        }

        Assert.NotEmpty(entries);
    }

    [Fact]
    public async Task Fragments_of_another_stream_outside_the_range_or_outside_a_live_window_are_refused()
    {
        var (name, entries) = await SeededAsync();
        var (_, others) = await SeededAsync();
        // [first, second] inclusive: the first two fragments only.
        var master = await _client.SessionAsync(OnDemand(name, entries[0].ProducerTimestampMs, entries[1].ProducerTimestampMs));
        var resources = await ResourcesAsync(master);
        var (init, segment) = (resources[2], resources[3]);

        foreach (var url in new[] { init, segment })
        {
            // Another stream's fragment with this session's token.
            await AssertRefusedAsync(With(url, "FragmentNumber", FragmentNumber.Format(others[0].Number)), HttpStatusCode.NotFound, "ResourceNotFoundException");
            // A fragment of this stream outside the ON_DEMAND range.
            await AssertRefusedAsync(With(url, "FragmentNumber", FragmentNumber.Format(entries[3].Number)), HttpStatusCode.NotFound, "ResourceNotFoundException");
            // A number never given out.
            await AssertRefusedAsync(With(url, "FragmentNumber", "91343852333181432511524306419788296366724229586"), HttpStatusCode.NotFound, "ResourceNotFoundException");
        }

        await AssertRefusedAsync(With(segment, "FragmentNumber", null), HttpStatusCode.BadRequest, "InvalidArgumentException");
        await AssertRefusedAsync(With(segment, "TrackNumber", "2"), HttpStatusCode.NotFound, "ResourceNotFoundException");

        // A LIVE session's token (its window: the newest fragment) is not an ON_DEMAND one: it cannot fetch older fragments.
        var live = await _client.SessionAsync(new { StreamName = name, MaxMediaPlaylistFragmentResults = 1 });
        var liveSegment = (await ResourcesAsync(live))[3];
        Assert.Equal(FragmentNumber.Format(entries[^1].Number), Query(liveSegment)["FragmentNumber"]);
        await AssertRefusedAsync(With(liveSegment, "FragmentNumber", FragmentNumber.Format(entries[0].Number)), HttpStatusCode.NotFound, "ResourceNotFoundException");
        // ... while the ON_DEMAND session's own token fetches that fragment.
        Assert.Equal(HttpStatusCode.OK, (await _client.FetchAsync(With(segment, "FragmentNumber", FragmentNumber.Format(entries[0].Number)))).Status);
    }

    [Fact]
    public async Task Playlists_and_segments_answer_cors_requests_from_any_origin()
    {
        var (name, _) = await SeededAsync();
        var master = await _client.SessionAsync(OnDemand(name, ProducerStart, ProducerStart + 60_000));

        foreach (var url in await ResourcesAsync(master))
        {
            var answer = await _client.FetchAsync(url, origin: "https://player.example.com");
            Assert.Equal(HttpStatusCode.OK, answer.Status);
            Assert.Equal("*", answer.Response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        }

        // ON_DEMAND resources never change for a token: caches may keep them until the session expires.
        var media = await _client.FetchAsync((await ResourcesAsync(master))[1]);
        Assert.InRange(media.Response.Headers.CacheControl!.MaxAge!.Value.TotalSeconds, 200, 300);

        // What was served shows in the metrics.
        var metrics = await _client.GetStringAsync("metrics");
        foreach (var instrument in new[] { "videostreams_playback_hls_sessions", "videostreams_playback_hls_requests", "videostreams_playback_hls_request_duration", "videostreams_playback_hls_bytes_out" })
        {
            Assert.Contains(instrument, metrics, StringComparison.Ordinal);
        }
    }
}
