namespace VideoStreams.Server.Tests.Playback.Hls.LowLatency;

/// <summary>VideoStreams:Hls:PartTargetMs sets the part target (and so PART-HOLD-BACK and the parts' length).</summary>
public sealed class PartTargetSettingTests : IAsyncLifetime
{
    private readonly ServerFixture _server = new(["--VideoStreams:Hls:PartTargetMs", "400"]);

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task Parts_follow_the_configured_target()
    {
        using var client = _server.CreateClient();
        (await client.KvsAsync("createStream", new { StreamName = "ll-target", DataRetentionInHours = 1 })).Ok();
        await using var camera = await LlCamera.StartAsync(_server.BaseUrl, "ll-target");
        await camera.SendFragmentAsync(TimeSpan.Zero);
        Uri? master = null;
        for (var attempt = 0; master is null; attempt++)
        {
            var reply = await client.KvsAsync("/getHLSStreamingSessionURL", new { StreamName = "ll-target", PlaybackMode = "LIVE", LowLatency = true });
            if (reply.Status == System.Net.HttpStatusCode.OK)
            {
                master = new Uri(reply.Body.GetProperty("HLSStreamingSessionURL").GetString()!);
            }
            else
            {
                Assert.True(attempt < 100, reply.Body.ToString());
                await Task.Delay(100);
            }
        }

        await camera.SendFragmentAsync(TimeSpan.Zero);
        await camera.SendFragmentAsync(TimeSpan.Zero);
        var media = await client.MediaPlaylistUrlAsync(master);
        var playlist = LlParsedPlaylist.Parse((await client.FetchAsync(new Uri(media + "&_HLS_msn=0"))).Ok(HlsTestKit.Playlist).Text).Check();

        Assert.Equal(0.4, playlist.PartTarget);
        Assert.Equal(1.2, playlist.PartHoldBack);
        var segment = playlist.Segments[0];
        Assert.Equal([0.4, 0.4, 0.2], segment.Parts.Select(p => p.Duration)); // ten frames of 100 ms: 4 + 4 + 2
        (await camera.EndAsync()).NoErrors();
    }
}
