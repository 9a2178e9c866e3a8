using System.Text.Json;
using Microsoft.Playwright;
using VideoStreams.EndToEnd.Tests.Support;
using VideoStreams.Server.Tests;
using Xunit.Abstractions;

namespace VideoStreams.EndToEnd.Tests.Playback;

/// <summary>
/// The README's "where to watch it": the server's own web console (/console/) lists the streams and plays the one
/// asked for live, in real Chromium, with the hls.js the build fetched from npm.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ConsolePlaybackTests(ServerFixture server, BrowserFixture browser, ITestOutputHelper output) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task The_web_console_lists_a_streaming_camera_and_plays_it_live()
    {
        using var client = server.CreateClient();
        var stream = KvsHttp.UniqueName("console");
        await using var camera = await client.StartCameraAsync(server.BaseUrl, stream);

        await using var context = await browser.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            output.WriteLine($"console {message.Type}: {message.Text}");
            if (message.Type == "error")
            {
                problems.Add(message.Text);
            }
        };
        page.PageError += (_, error) => problems.Add(error);

        // The server's root leads to the console.
        await page.GotoAsync(server.BaseUrl.ToString());
        Assert.EndsWith("/console/", page.Url, StringComparison.Ordinal);
        await page.GotoAsync(new Uri(server.BaseUrl, $"console/?stream={stream}").ToString());
        await page.Locator("nav a", new() { HasText = stream }).WaitForAsync(new() { Timeout = 30_000 });

        var first = await WaitForVideoAsync(page, "the console's live video to show a picture", v => v.Width > 0 && v.Time > 0, 90);
        Assert.Equal(160, first.Width);
        var later = await WaitForVideoAsync(page, "the console's live video to play on", v => v.Time >= first.Time + 3, 90);
        var status = await page.Locator("#status").TextContentAsync();
        output.WriteLine($"status: {status}; video {later}");
        Assert.StartsWith("Live", status, StringComparison.Ordinal);
        Assert.Empty(problems);
    }

    private sealed record VideoState(int Width, double Time);

    private static async Task<VideoState> WaitForVideoAsync(IPage page, string what, Func<VideoState, bool> done, int seconds)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var json = await page.EvaluateAsync<JsonElement>("() => { const v = document.getElementById('video'); return { w: v.videoWidth, t: v.currentTime }; }");
            var state = new VideoState(json.GetProperty("w").GetInt32(), json.GetProperty("t").GetDouble());
            if (done(state))
            {
                return state;
            }

            var status = await page.Locator("#status").TextContentAsync();
            Assert.True(DateTime.UtcNow < deadline, $"waited {seconds} s for {what}: {state}, status '{status}'");
            await Task.Delay(500);
        }
    }
}
