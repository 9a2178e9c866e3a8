using VideoStreams.EndToEnd.Tests.Support;
using VideoStreams.Server.Tests;
using Xunit.Abstractions;

namespace VideoStreams.EndToEnd.Tests.Playback;

/// <summary>
/// Issue 9's acceptance, in the browser: a LIVE session with <c>"LowLatency": true</c> plays in Chromium with hls.js in
/// lowLatencyMode, hls.js loads parts and reloads the playlist with blocking requests, and the capture-time strip of the
/// displayed frames follows the camera. No latency threshold here: timing belongs to latency-bench.sh.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LowLatencyPlaybackTests(ServerFixture server, BrowserFixture browser, ITestOutputHelper output) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task An_LL_HLS_session_plays_from_parts_with_blocking_reloads_and_shows_the_camera_frames_in_order()
    {
        using var client = server.CreateClient();
        var stream = KvsHttp.UniqueName("llhls");
        var started = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await using var camera = await StripCamera.StartAsync(server.BaseUrl, stream);
        await CaptureStripTests.WaitForFragmentsAsync(client, stream, camera);

        var url = await client.HlsUrlAsync(new
        {
            StreamName = stream,
            PlaybackMode = "LIVE",
            LowLatency = true,
            HLSFragmentSelector = new { FragmentSelectorType = "PRODUCER_TIMESTAMP" },
            DisplayFragmentTimestamp = "ALWAYS",
            Expires = 900,
        });
        var master = await client.GetStringAsync(url);
        var media = await client.GetStringAsync(new Uri(url, master.Split('\n').Select(l => l.Trim()).First(l => l.Length > 0 && !l.StartsWith('#'))));
        Assert.Contains("#EXT-X-PART-INF", media);

        await using var page = await ViewerPage.OpenAsync(browser, output);
        // A viewer a part or two behind a camera on a starved 2-core machine can catch up with it, and the camera's
        // capture times can jump: hls.js then reports a non-fatal stall (a CI run saw one at 1.1 s) or jumps the hole
        // (another saw 0.95 s -> 1.52 s) and plays on. Logged, not failed on: the frames must still come, in order,
        // from parts.
        page.ToleratesTimingHiccups = true;
        await page.PlayReadingStripAsync(url, lowLatency: true);
        await page.WaitForAsync("30 displayed frames with a readable strip, played from parts",
            s => s.StripSamples >= 30 && s.PartsLoaded >= 5, TimeSpan.FromSeconds(60));
        var taken = await page.TakeStripSamplesAsync();
        output.WriteLine($"{taken.Samples.Count} frames read, {taken.Misses} not; first {CaptureStripTests.Describe(taken.Samples[0])}, last {CaptureStripTests.Describe(taken.Samples[^1])}");

        var blocking = page.Requests.Where(r => r.Contains("_HLS_msn=", StringComparison.Ordinal)).ToList();
        Assert.True(blocking.Count >= 3, $"hls.js made {blocking.Count} blocking playlist reloads (_HLS_msn); requests:\n{string.Join("\n", page.Requests.TakeLast(20))}");
        Assert.Contains(blocking, r => r.Contains("_HLS_part=", StringComparison.Ordinal));
        output.WriteLine($"{page.Requests.Count} requests, {blocking.Count} blocking reloads, e.g. {blocking[^1]}");

        CaptureStripTests.AssertStripFollowsTheCamera(taken.Samples, taken.Misses, started);
        page.AssertNoErrors(await page.SnapshotAsync(), "the end of the test");
    }
}
