using System.Net;
using VideoStreams.EndToEnd.Tests.Support;
using VideoStreams.Server.Tests;
using Xunit.Abstractions;

namespace VideoStreams.EndToEnd.Tests.Playback;

/// <summary>
/// Issue 8's acceptance, LIVE: a camera is streaming (PutMedia, ABSOLUTE timecodes, a real one-second H.264 fragment
/// each second), and a web page on another origin plays the LIVE session URL with hls.js in real Chromium.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LivePlaybackTests(ServerFixture server, BrowserFixture browser, ITestOutputHelper output) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task A_page_on_another_origin_plays_a_live_session_while_the_camera_streams()
    {
        using var client = server.CreateClient();
        var stream = KvsHttp.UniqueName("live");
        await using var camera = await client.StartCameraAsync(server.BaseUrl, stream);

        var url = await client.HlsUrlAsync(new
        {
            StreamName = stream,
            PlaybackMode = "LIVE",
            HLSFragmentSelector = new { FragmentSelectorType = "SERVER_TIMESTAMP" },
            DisplayFragmentTimestamp = "ALWAYS",
            Expires = 900,
        });
        output.WriteLine($"session URL {url}");

        await using var page = await ViewerPage.OpenAsync(browser, output);
        await page.PlayAsync(url);
        var playing = await page.WaitForAsync("the live video to show a picture and play",
            s => s.VideoWidth > 0 && s.CurrentTime > 0 && !s.Paused, TimeSpan.FromSeconds(90));
        Assert.Equal(160, playing.VideoWidth);
        Assert.Equal(120, playing.VideoHeight);
        Assert.True(playing.PlaylistLive, "hls.js reads the LIVE media playlist as live (no EXT-X-ENDLIST)");

        // Live means more than the fragments the first playlist held: keep playing past them while the camera streams.
        var shownAtStart = playing.Fragments.Count;
        var moved = await page.WaitForAsync("live playback to advance 4 s and show fragments stored after it started",
            s => s.CurrentTime >= playing.CurrentTime + 4 && s.Fragments.Count >= shownAtStart + 3, TimeSpan.FromSeconds(90));

        // What is shown is now: the program date times come from the fragments' server timestamps.
        Assert.NotNull(moved.PlayingDate);
        var behind = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - moved.PlayingDate.Value;
        Assert.True(behind is > -5_000 and < 60_000, $"the live picture is {behind / 1000:0.0} s behind the wall clock: {moved}");

        var answer = await camera.StopAsync();
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        answer.NoErrors();
        page.AssertNoErrors(await page.SnapshotAsync(), "the end of the test");
    }
}
