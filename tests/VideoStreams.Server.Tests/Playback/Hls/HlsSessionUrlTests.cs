using System.Net;

namespace VideoStreams.Server.Tests.Playback.Hls;

public sealed class HlsSessionUrlTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const long ProducerStart = 1_700_000_000_000;

    private readonly HttpClient _client = server.CreateClient();

    private async Task<string> SeededAsync(long serverStartMs)
    {
        var name = KvsHttp.UniqueName("hlsurl");
        await _client.CreateStreamAsync(name, retentionHours: 24);
        await PlaybackSeed.SeedAsync(server, name, ProducerStart, serverStartMs);
        return name;
    }

    private static object Range(double from, double to) => new { StartTimestamp = from, EndTimestamp = to };

    [Fact]
    public async Task Each_bad_field_is_an_invalid_argument_that_names_it()
    {
        var name = await SeededAsync(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 10_000);
        var from = ProducerStart / 1000.0;
        var producer = new { FragmentSelectorType = "PRODUCER_TIMESTAMP", TimestampRange = Range(from, from + 60) };
        (object Body, string Mentions)[] cases =
        [
            (new { StreamName = name, PlaybackMode = "LATER" }, "PlaybackMode"),
            (new { StreamName = name, PlaybackMode = "ON_DEMAND" }, "HLSFragmentSelector"),
            (new { StreamName = name, PlaybackMode = "LIVE_REPLAY", HLSFragmentSelector = new { FragmentSelectorType = "PRODUCER_TIMESTAMP" } }, "StartTimestamp"),
            (new { StreamName = name, PlaybackMode = "ON_DEMAND", HLSFragmentSelector = new { FragmentSelectorType = "PRODUCER_TIMESTAMP", TimestampRange = new { StartTimestamp = from } } }, "EndTimestamp"),
            (new { StreamName = name, PlaybackMode = "ON_DEMAND", HLSFragmentSelector = new { FragmentSelectorType = "CAMERA_TIMESTAMP", TimestampRange = Range(from, from + 60) } }, "FragmentSelectorType"),
            (new { StreamName = name, PlaybackMode = "ON_DEMAND", HLSFragmentSelector = new { FragmentSelectorType = "PRODUCER_TIMESTAMP", TimestampRange = Range(from, from) } }, "EndTimestamp must be after"),
            (new { StreamName = name, PlaybackMode = "ON_DEMAND", HLSFragmentSelector = new { FragmentSelectorType = "PRODUCER_TIMESTAMP", TimestampRange = Range(from, from + 86_401) } }, "within 24 hours"),
            (new { StreamName = name, PlaybackMode = "ON_DEMAND", HLSFragmentSelector = new { FragmentSelectorType = "SERVER_TIMESTAMP", TimestampRange = Range((DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60), DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 3600) } }, "in the past"),
            (new { StreamName = name, PlaybackMode = "LIVE", HLSFragmentSelector = producer }, "TimestampRange must not be set"),
            (new { StreamName = name, PlaybackMode = "ON_DEMAND", HLSFragmentSelector = producer, ContainerFormat = "MPEG_TS" }, "only FRAGMENTED_MP4"),
            (new { StreamName = name, PlaybackMode = "ON_DEMAND", HLSFragmentSelector = producer, ContainerFormat = "WEBM" }, "ContainerFormat"),
            (new { StreamName = name, PlaybackMode = "ON_DEMAND", HLSFragmentSelector = producer, DiscontinuityMode = "SOMETIMES" }, "DiscontinuityMode"),
            (new { StreamName = name, PlaybackMode = "ON_DEMAND", HLSFragmentSelector = producer, DisplayFragmentTimestamp = "YES" }, "DisplayFragmentTimestamp"),
            (new { StreamName = name, PlaybackMode = "ON_DEMAND", HLSFragmentSelector = producer, Expires = 299 }, "Expires"),
            (new { StreamName = name, PlaybackMode = "ON_DEMAND", HLSFragmentSelector = producer, Expires = 43_201 }, "Expires"),
            (new { StreamName = name, PlaybackMode = "ON_DEMAND", HLSFragmentSelector = producer, MaxMediaPlaylistFragmentResults = 0 }, "MaxMediaPlaylistFragmentResults"),
            (new { StreamName = name, PlaybackMode = "ON_DEMAND", HLSFragmentSelector = producer, MaxMediaPlaylistFragmentResults = 5001 }, "MaxMediaPlaylistFragmentResults"),
        ];

        foreach (var (body, mentions) in cases)
        {
            (await _client.KvsAsync("/getHLSStreamingSessionURL", body)).Invalid(mentions);
        }

        // The limits themselves are accepted.
        await _client.SessionAsync(new { StreamName = name, PlaybackMode = "ON_DEMAND", HLSFragmentSelector = producer, Expires = 43_200, MaxMediaPlaylistFragmentResults = 5000 });
        await _client.SessionAsync(new { StreamName = name, PlaybackMode = "ON_DEMAND", HLSFragmentSelector = producer, Expires = 300, MaxMediaPlaylistFragmentResults = 1 });
    }

    [Fact]
    public async Task Nothing_to_play_is_resource_not_found_and_a_retention_0_stream_replays_nothing()
    {
        var stale = await SeededAsync(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 120_000);
        var from = ProducerStart / 1000.0;

        // A range without fragments.
        (await _client.KvsAsync("/getHLSStreamingSessionURL", new { StreamName = stale, PlaybackMode = "ON_DEMAND", HLSFragmentSelector = new { FragmentSelectorType = "PRODUCER_TIMESTAMP", TimestampRange = Range(from + 3600, from + 7200) } }))
            .Error(HttpStatusCode.NotFound, "ResourceNotFoundException");
        (await _client.KvsAsync("/getHLSStreamingSessionURL", new { StreamName = stale, PlaybackMode = "LIVE_REPLAY", HLSFragmentSelector = new { FragmentSelectorType = "PRODUCER_TIMESTAMP", TimestampRange = new { StartTimestamp = from + 3600 } } }))
            .Error(HttpStatusCode.NotFound, "ResourceNotFoundException");
        // LIVE on a stream whose newest fragment arrived two minutes ago, as KVS answers it.
        var live = (await _client.KvsAsync("/getHLSStreamingSessionURL", new { StreamName = stale })).Error(HttpStatusCode.NotFound, "ResourceNotFoundException");
        Assert.Equal("No fragments found in the stream for the streaming request.", live.Message);
        // LIVE on a stream without any fragment.
        var empty = KvsHttp.UniqueName("hlsempty");
        await _client.CreateStreamAsync(empty, retentionHours: 1);
        (await _client.KvsAsync("/getHLSStreamingSessionURL", new { StreamName = empty, PlaybackMode = "LIVE" })).Error(HttpStatusCode.NotFound, "ResourceNotFoundException");
        // An unknown stream.
        (await _client.KvsAsync("/getHLSStreamingSessionURL", new { StreamName = KvsHttp.UniqueName("nope") })).Error(HttpStatusCode.NotFound, "ResourceNotFoundException");
        // Retention 0: nothing is stored to replay; LIVE plays from the live hub, and there is nothing live here.
        var unkept = KvsHttp.UniqueName("hlsr0");
        await _client.CreateStreamAsync(unkept, retentionHours: 0);
        (await _client.KvsAsync("/getHLSStreamingSessionURL", new { StreamName = unkept, PlaybackMode = "ON_DEMAND", HLSFragmentSelector = new { FragmentSelectorType = "PRODUCER_TIMESTAMP", TimestampRange = Range(from, from + 60) } }))
            .Error(HttpStatusCode.BadRequest, "NoDataRetentionException");
        (await _client.KvsAsync("/getHLSStreamingSessionURL", new { StreamName = unkept })).Error(HttpStatusCode.NotFound, "ResourceNotFoundException");
    }

    [Fact]
    public async Task The_url_uses_the_callers_host_and_the_session_secret_is_kept_private_in_the_data_folder()
    {
        var name = await SeededAsync(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 5_000);

        var url = await _client.SessionAsync(new { StreamName = name });

        Assert.Equal(server.BaseUrl.Authority, url.Authority);
        var token = url.Query.TrimStart('?').Split('&').Single(p => p.StartsWith("SessionToken=", StringComparison.Ordinal))[13..];
        Assert.Matches("^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$", token);
        var secret = Path.Combine(server.DataDirectory, "hls-session.key");
        Assert.Equal(32, new FileInfo(secret).Length);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secret));
        }
    }
}
