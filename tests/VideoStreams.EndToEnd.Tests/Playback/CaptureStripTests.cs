using System.Diagnostics;
using VideoStreams.EndToEnd.Tests.Support;
using VideoStreams.Producer.Sources;
using VideoStreams.Server.Tests;
using Xunit.Abstractions;

namespace VideoStreams.EndToEnd.Tests.Playback;

/// <summary>
/// The browser's reading of the capture-time strip (web/strip.js), which the glass-to-glass benchmark relies on:
/// against frames the C# writer produced (PNG through ffmpeg, lossless and after an H.264 round trip), and on the
/// frames Chromium displays while playing a standard LIVE session from the agent's synthetic camera.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CaptureStripTests(ServerFixture server, BrowserFixture browser, ITestOutputHelper output) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData(640, 360)]
    [InlineData(1280, 720)]
    [InlineData(320, 240)]
    public async Task The_page_reads_the_capture_time_the_synthetic_source_wrote(int width, int height)
    {
        await using var page = await ViewerPage.OpenAsync(browser, output);
        long[] times = [1_764_170_000_123, 0, (1L << 44) - 1, 1_000_000_000_001];
        foreach (var time in times)
        {
            var frame = Frame(width, height, time);
            var png = await FfmpegAsync(frame, ["-f", "rawvideo", "-pix_fmt", "bgr24", "-s", $"{width}x{height}", "-i", "pipe:0", "-f", "image2pipe", "-c:v", "png", "pipe:1"]);
            Assert.Equal(time, await page.ReadStripFromImageAsync(png));

            // What a viewer gets: the frame through libx264 at a low quality (4:2:0, blocking), decoded again.
            var h264 = await FfmpegAsync(frame, ["-f", "rawvideo", "-pix_fmt", "bgr24", "-s", $"{width}x{height}", "-i", "pipe:0", "-c:v", "libx264", "-qp", "40", "-pix_fmt", "yuv420p", "-f", "h264", "pipe:1"]);
            var decoded = await FfmpegAsync(h264, ["-f", "h264", "-i", "pipe:0", "-f", "image2pipe", "-c:v", "png", "pipe:1"]);
            Assert.Equal(time, await page.ReadStripFromImageAsync(decoded));
        }

        // No strip, or a strip with one time bit flipped (the check fails): no time rather than a wrong one.
        var plain = new byte[width * height * 3];
        Array.Fill(plain, (byte)96);
        Assert.Null(await page.ReadStripFromImageAsync(await FfmpegAsync(plain, ["-f", "rawvideo", "-pix_fmt", "bgr24", "-s", $"{width}x{height}", "-i", "pipe:0", "-f", "image2pipe", "-c:v", "png", "pipe:1"])));
        var flipped = Frame(width, height, times[0]);
        var block = 20; // a time bit: blocks 2–45
        var rows = SyntheticPattern.StripHeight(height);
        for (var y = 0; y < rows; y++)
        {
            for (var x = block * width / 64; x < (block + 1) * width / 64; x++)
            {
                var p = ((y * width) + x) * 3;
                flipped[p] = flipped[p + 1] = flipped[p + 2] = (byte)(255 - flipped[p]);
            }
        }

        Assert.False(SyntheticPattern.TryReadCaptureTime(flipped, width, height, out _), "the C# reader refuses the flipped strip too");
        Assert.Null(await page.ReadStripFromImageAsync(await FfmpegAsync(flipped, ["-f", "rawvideo", "-pix_fmt", "bgr24", "-s", $"{width}x{height}", "-i", "pipe:0", "-f", "image2pipe", "-c:v", "png", "pipe:1"])));
    }

    [Fact]
    public async Task The_strip_of_each_displayed_frame_of_a_live_session_gives_the_capture_time_the_camera_sent()
    {
        using var client = server.CreateClient();
        var stream = KvsHttp.UniqueName("strip");
        var started = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await using var camera = await StripCamera.StartAsync(server.BaseUrl, stream);
        await WaitForFragmentsAsync(client, stream, camera);

        var url = await client.HlsUrlAsync(new
        {
            StreamName = stream,
            PlaybackMode = "LIVE",
            // Program date times from the producer's timestamps: the camera's capture clock, which the strip shows too.
            HLSFragmentSelector = new { FragmentSelectorType = "PRODUCER_TIMESTAMP" },
            DisplayFragmentTimestamp = "ALWAYS",
            Expires = 900,
        });
        await using var page = await ViewerPage.OpenAsync(browser, output);
        await page.PlayReadingStripAsync(url, lowLatency: true);
        await page.WaitForAsync("30 displayed frames with a readable strip", s => s.StripSamples >= 30, TimeSpan.FromSeconds(60));
        var taken = await page.TakeStripSamplesAsync();
        var samples = taken.Samples;
        output.WriteLine($"{samples.Count} frames read, {taken.Misses} not; first {Describe(samples[0])}, last {Describe(samples[^1])}");

        AssertStripFollowsTheCamera(samples, taken.Misses, started);
        page.AssertNoErrors(await page.SnapshotAsync(), "the end of the test");
    }

    /// <summary>
    /// What the strip must show on displayed frames: capture times that only go forward, from this camera's run,
    /// within a fragment (1 s) of the program date time of the frame by hls.js's playlist (the producer's timestamp of
    /// its segment plus the offset; usually equal to the millisecond, but hls.js, starting from parts, may place a
    /// segment a few hundred ms off until it has aligned its playlist to the media), and shown after they were
    /// captured. Frames whose strip does not read are rare.
    /// </summary>
    internal static void AssertStripFollowsTheCamera(IReadOnlyList<StripSample> samples, int misses, long cameraStarted)
    {
        Assert.True(misses <= samples.Count / 10, $"the strip did not read on {misses} of {samples.Count + misses} displayed frames");
        for (var i = 1; i < samples.Count; i++)
        {
            Assert.True(samples[i].Capture > samples[i - 1].Capture,
                $"displayed frame {i} shows capture time {Describe(samples[i])}, not after the frame before it ({Describe(samples[i - 1])})");
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var sample in samples)
        {
            Assert.True(sample.Capture >= cameraStarted - 1000 && sample.Capture <= now, $"capture time {Describe(sample)} is not from this camera's run");
            Assert.True(sample.Display > sample.Capture, $"frame {Describe(sample)} was displayed before it was captured");
        }

        var withProgramTime = samples.Where(s => s.ProgramTime is not null).ToList();
        Assert.True(withProgramTime.Count >= samples.Count / 2, $"only {withProgramTime.Count} of {samples.Count} frames had a program date time in hls.js's playlist");
        var off = withProgramTime.Where(s => Math.Abs(s.Capture - s.ProgramTime!.Value) > 1000).ToList();
        Assert.True(off.Count == 0,
            $"{off.Count} of {withProgramTime.Count} frames show a capture time more than 1 s from their producer timestamp, e.g. {Describe(off.FirstOrDefault())}");
    }

    internal static async Task WaitForFragmentsAsync(HttpClient client, string stream, StripCamera camera)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(await client.KvsAsync("/describeStream", new { StreamName = stream })).Status.Equals(System.Net.HttpStatusCode.OK)
            || await client.CountRecentFragmentsAsync(stream) < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the camera's fragments were not listed within 60 s:\n{camera.Agent.Output}");
            await Task.Delay(250);
        }
    }

    internal static string Describe(StripSample? s) => s is null ? "none" :
        $"{ViewerSnapshot.Date(s.Capture)} shown at {ViewerSnapshot.Date(s.Display)} (media {s.MediaTime:0.000} s, program time {ViewerSnapshot.Date(s.ProgramTime)})";

    /// <summary>A grey BGR24 frame with some texture below the strip, and the strip of <paramref name="epochMs"/>.</summary>
    private static byte[] Frame(int width, int height, long epochMs)
    {
        var frame = new byte[width * height * 3];
        var random = new Random(7);
        random.NextBytes(frame);
        for (var i = 0; i < frame.Length; i++)
        {
            frame[i] = (byte)(64 + (frame[i] / 2));
        }

        SyntheticPattern.WriteCaptureTime(frame, width, height, epochMs);
        return frame;
    }

    private static async Task<byte[]> FfmpegAsync(byte[] input, string[] arguments)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["-hide_banner", "-loglevel", "error", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = new MemoryStream();
        var reading = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardInput.BaseStream.WriteAsync(input);
        process.StandardInput.Close();
        await reading;
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"ffmpeg {string.Join(' ', arguments)} exited with {process.ExitCode}: {await errors}");
        return stdout.ToArray();
    }
}
