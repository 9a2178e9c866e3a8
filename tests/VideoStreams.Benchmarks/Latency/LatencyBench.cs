using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using VideoStreams.Benchmarks.Ingest;

namespace VideoStreams.Benchmarks.Latency;

/// <summary>
/// Glass-to-glass latency in headless Chromium with hls.js (issue 9), side by side in one run: standard LIVE HLS of a
/// camera with 1 s fragments, of one with 2 s fragments, LL-HLS (<c>"LowLatency": true</c>, parts of PartTargetMs) of
/// a camera with 1 s fragments, and for scale ffmpeg's own HLS muxer (fMP4, 1 s segments) served as static files.
/// Every displayed frame's capture time is read from the strip the synthetic source burns in, and compared with the
/// wall clock at display (<c>requestVideoFrameCallback</c>: <c>performance.timeOrigin + expectedDisplayTime</c>). By
/// default one viewer at a time, each on a fresh page, while every camera runs (<c>--schedule together</c>: all pages
/// at once). Then the 50-viewer check on the LL stream: a fresh Chromium viewer alone, then with 49 simulated LL-HLS clients
/// (<see cref="LlHlsClient"/>), comparing its p95 and the camera's PERSISTED ack latency. Prints markdown tables.
/// </summary>
internal static class LatencyBench
{
    private const string Usage = "usage: latency [--seconds 60] [--warmup 15] [--viewers 50] [--ffmpeg-hls yes|no] [--part-target-ms 200] "
        + "[--frames-as-captured auto|yes|no] [--preload-hints yes|no] [--schedule sequential|together] [--crowd idle|nice|inline] [--size 640x360] [--work DIR] [--web DIR] [--server-dll PATH] [--agent-dll PATH] "
        + "[--server-env NAME=VALUE ...]";

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new Dictionary<string, string>();
        var serverEnv = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length || !args[i].StartsWith("--", StringComparison.Ordinal))
            {
                Console.Error.WriteLine(Usage);
                return 2;
            }

            if (args[i] == "--server-env")
            {
                var pair = args[i + 1].Split('=', 2);
                serverEnv[pair[0]] = pair[1];
            }
            else
            {
                options[args[i]] = args[i + 1];
            }
        }

        int Int(string name, int fallback) => options.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var seconds = TimeSpan.FromSeconds(Int("--seconds", 60));
        var warmup = TimeSpan.FromSeconds(Int("--warmup", 15));
        var viewers = Int("--viewers", 50);
        var partTarget = Int("--part-target-ms", 200);
        var withFfmpeg = options.GetValueOrDefault("--ffmpeg-hls", "yes") == "yes";
        var preloadHints = options.GetValueOrDefault("--preload-hints", "no") == "yes";
        var together = options.GetValueOrDefault("--schedule", "sequential") == "together";
        var crowdText = options.GetValueOrDefault("--crowd", "idle");
        if (!Enum.TryParse<CrowdMode>(crowdText, ignoreCase: true, out var crowdMode))
        {
            Console.Error.WriteLine($"--crowd must be idle, nice or inline, not {crowdText}");
            return 2;
        }

        // Smaller pictures make the run lighter (three encoders, ffmpeg's and the Chromium pages share the machine).
        var size = options.GetValueOrDefault("--size", "640x360").Split('x');
        (AgentCameras.Width, AgentCameras.Height) = (int.Parse(size[0], CultureInfo.InvariantCulture), int.Parse(size[1], CultureInfo.InvariantCulture));
        var root = SyntheticCamera.RepositoryRoot();
        var web = options.GetValueOrDefault("--web") ?? Path.Combine(root, "tests", "VideoStreams.EndToEnd.Tests", "web");
        var serverDll = options.GetValueOrDefault("--server-dll") ?? ServerProcess.DefaultDll;
        var agentDll = options.GetValueOrDefault("--agent-dll") ?? Path.Combine(root, "src", "VideoStreams.Agent", "bin", "Release", "net10.0", "vs-agent.dll");
        // Whether this agent knows upload.framesAsCaptured: its device file model has the member (an older agent refuses it).
        var known = File.ReadAllText(Path.Combine(root, "src", "VideoStreams.Agent", "Configuration", "DeviceFile.cs")).Contains("FramesAsCaptured", StringComparison.Ordinal);
        bool? framesAsCaptured = options.GetValueOrDefault("--frames-as-captured", "auto") switch
        {
            "no" => known ? false : null,
            _ => known ? true : null,
        };
        var ownWork = !options.ContainsKey("--work");
        var work = options.GetValueOrDefault("--work") ?? Directory.CreateTempSubdirectory("vs-latency-").FullName;
        serverEnv.TryAdd("VideoStreams__Hls__PartTargetMs", partTarget.ToString(CultureInfo.InvariantCulture));

        Console.WriteLine($"// {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} UTC, load {Load()}; work folder {work}");
        Console.WriteLine($"// cameras: vs-agent synthetic {AgentCameras.Width}x{AgentCameras.Height}@{AgentCameras.FrameRate}, one GOP per fragment, framesAsCaptured {framesAsCaptured switch { true => "on", false => "off", null => "off (this agent has no such setting)" }}; part target {partTarget} ms");
        try
        {
            return await RunAsync(work, web, serverDll, agentDll, serverEnv, framesAsCaptured, seconds, warmup, viewers, withFfmpeg, preloadHints, together, crowdMode);
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException or Microsoft.Playwright.PlaywrightException)
        {
            Console.Error.WriteLine($"latency: {e.Message}");
            return 1;
        }
        finally
        {
            if (ownWork)
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    private static async Task<int> RunAsync(string work, string web, string serverDll, string agentDll, Dictionary<string, string> serverEnv,
        bool? framesAsCaptured, TimeSpan seconds, TimeSpan warmup, int viewers, bool withFfmpeg, bool preloadHints, bool together, CrowdMode crowdMode)
    {
        var data = Path.Combine(work, "data");
        Directory.CreateDirectory(data);
        await using var server = await ServerProcess.StartAsync(serverDll, data, serverEnv);
        var baseUrl = new Uri($"http://{server.EndPoint}/");
        CameraSpec[] specs = [new("latency-hls-1s", 1000, framesAsCaptured), new("latency-hls-2s", 2000, framesAsCaptured), new("latency-llhls", 1000, framesAsCaptured)];
        await using var cameras = await AgentCameras.StartAsync(agentDll, work, baseUrl, specs);
        await using var ffmpeg = withFfmpeg ? await FfmpegHlsOrigin.StartAsync(Path.Combine(work, "ffmpeg-hls")) : null;

        var modes = new List<(string Name, Uri Url, string Camera, double CatchUp)>();
        var std1 = await SessionAsync(server.Http, specs[0].Stream, lowLatency: false);
        var std2 = await SessionAsync(server.Http, specs[1].Stream, lowLatency: false);
        modes.Add(("standard HLS, 1 s fragments", std1.Url!, specs[0].Stream, 1));
        modes.Add(("standard HLS, 2 s fragments", std2.Url!, specs[1].Stream, 1));
        var ll = await SessionAsync(server.Http, specs[2].Stream, lowLatency: true);
        string? llMissing = null;
        if (ll.Url is null)
        {
            llMissing = ll.Problem;
        }
        else if (!await HasPartsAsync(server.Http, ll.Url))
        {
            llMissing = "the LowLatency session's media playlist has no EXT-X-PART-INF (the server serves standard HLS)";
        }
        else
        {
            modes.Add(($"LL-HLS, {serverEnv["VideoStreams__Hls__PartTargetMs"]} ms parts", ll.Url, specs[2].Stream, 1));
            // The same session in a viewer configured as the web console's: hls.js may play up to 1.5x to get back
            // to PART-HOLD-BACK after a stall (by default it never catches up, and every stall adds to its target).
            modes.Add(($"LL-HLS, {serverEnv["VideoStreams__Hls__PartTargetMs"]} ms parts, catch-up 1.5x", ll.Url, specs[2].Stream, 1.5));
        }

        if (ffmpeg is not null)
        {
            await WaitForAsync("ffmpeg's playlist", async () => File.Exists(Path.Combine(work, "ffmpeg-hls", "index.m3u8")), TimeSpan.FromSeconds(30));
            modes.Add(("ffmpeg HLS muxer (fMP4, 1 s), static files", ffmpeg.Playlist, "ffmpeg", 1));
        }

        if (llMissing is not null)
        {
            Console.WriteLine($"// LL-HLS not measured: {llMissing}");
        }

        await using var browser = await BrowserViewers.LaunchAsync(web);
        var results = new List<(string Name, FrameSamples Window, IReadOnlyList<string> Errors, IReadOnlyList<string> Requests)>();
        string heading;
        if (together)
        {
            // Every mode at once: the same seconds for all, but five decoding pages, three encoders and ffmpeg share
            // the machine, and a stall while the pages start adds to a viewer's latency for good (hls.js plays at 1x).
            var pages = new List<BrowserViewer>();
            foreach (var mode in modes)
            {
                pages.Add(await browser.PlayAsync(mode.Name, mode.Url, mode.CatchUp));
            }

            await WarmUpAsync(pages, warmup);
            var load = Load();
            await Task.Delay(seconds);
            foreach (var page in pages)
            {
                results.Add((page.Name, await page.TakeAsync(), await page.ErrorsAsync(), page.Requests));
            }

            heading = $"Glass to glass, {seconds.TotalSeconds:0} s, all modes at once (load {load} before, {Load()} after):";
            foreach (var page in pages)
            {
                await page.DisposeAsync();
            }
        }
        else
        {
            // One viewer at a time, each on a fresh page, while the cameras and ffmpeg run throughout: what one
            // viewer of each kind sees, without four other pages decoding on the same cores.
            var loads = new List<string>();
            foreach (var mode in modes)
            {
                await using var page = await browser.PlayAsync(mode.Name, mode.Url, mode.CatchUp);
                await WarmUpAsync([page], warmup);
                var load = Load();
                await Task.Delay(seconds);
                results.Add((page.Name, await page.TakeAsync(), await page.ErrorsAsync(), page.Requests));
                loads.Add($"{load} → {Load()}");
            }

            heading = $"Glass to glass, {seconds.TotalSeconds:0} s per mode, one viewer at a time on a fresh page, cameras running throughout (load before → after each window: {string.Join(", ", loads)}):";
        }

        var table = new StringBuilder();
        table.AppendLine(heading);
        table.AppendLine();
        table.AppendLine("| mode | frames | strip unread | p50 | p95 | min | max | playlist edge age at load, mean | hls.js behind edge (target) | hls.js errors |");
        table.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var (name, window, errors, _) in results)
        {
            var f = LatencyFigures.Of(window);
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {f.Frames} | {f.Misses} | {LatencyFigures.Seconds(f.P50)} | {LatencyFigures.Seconds(f.P95)} | {LatencyFigures.Seconds(f.Min)} | {LatencyFigures.Seconds(f.Max)} "
                + $"| {LatencyFigures.Seconds(window.EdgeLags.Count == 0 ? double.NaN : window.EdgeLags.Average())} "
                + $"| {LatencyFigures.Seconds((window.Latency ?? double.NaN) * 1000)} ({LatencyFigures.Seconds((window.TargetLatency ?? double.NaN) * 1000)}) "
                + $"| {(errors.Count == 0 ? "none" : $"{errors.Count}: {string.Join("; ", errors.Take(3))}")} |");
        }

        Console.WriteLine();
        Console.Write(table);
        Console.WriteLine();
        for (var i = 0; i < results.Count; i++)
        {
            Console.WriteLine($"// {results[i].Name}: {await PlaylistHeaderAsync(server.Http, modes[i].Url)}; requests {DescribeRequests(results[i].Requests)}");
        }

        if (llMissing is not null || viewers < 2)
        {
            Console.WriteLine(llMissing is null ? "// the viewers check was not asked for (--viewers < 2)" : "// the 50-viewer check needs LL-HLS: not run");
            return 0;
        }

        // The 50-viewer check: a fresh LL page (hls.js's lowLatencyMode as is), first alone, then among the crowd.
        var llMode = modes.First(m => m.Camera == specs[2].Stream);
        await using var measured = await browser.PlayAsync(llMode.Name, llMode.Url, llMode.CatchUp);
        await WarmUpAsync([measured], warmup);
        var alone = await WindowAsync(measured, cameras, server, specs[2].Stream, seconds);
        var crowdSetup = crowdMode switch
        {
            CrowdMode.Idle => "in their own process under SCHED_IDLE",
            CrowdMode.Nice => "in their own process at nice 19",
            _ => "in the benchmark process",
        };
        var crowd = await LlCrowd.StartAsync(crowdMode, ll.Url!, viewers - 1, preloadHints);
        await Task.Delay(TimeSpan.FromSeconds(5));
        var before = await crowd.SnapshotAsync();
        var crowdCpu = crowd.Cpu();
        var crowded = await WindowAsync(measured, cameras, server, specs[2].Stream, seconds);
        var after = await crowd.SnapshotAsync();
        crowdCpu = crowd.Cpu() - crowdCpu;
        await crowd.DisposeAsync();

        var perSecond = seconds.TotalSeconds;
        Console.WriteLine();
        Console.WriteLine($"{viewers} LL-HLS viewers of one stream: 1 Chromium viewer measured + {viewers - 1} simulated LL-HLS clients ({crowdSetup}), {seconds.TotalSeconds:0} s each:");
        Console.WriteLine();
        Console.WriteLine($"| | 1 viewer | {viewers} viewers | change |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        Console.WriteLine($"| measured viewer p50 | {LatencyFigures.Seconds(alone.Figures.P50)} | {LatencyFigures.Seconds(crowded.Figures.P50)} | {Change(alone.Figures.P50, crowded.Figures.P50)} |");
        Console.WriteLine($"| measured viewer p95 | {LatencyFigures.Seconds(alone.Figures.P95)} | {LatencyFigures.Seconds(crowded.Figures.P95)} | {Change(alone.Figures.P95, crowded.Figures.P95)} |");
        Console.WriteLine($"| frames read (strip unread) | {alone.Figures.Frames} ({alone.Figures.Misses}) | {crowded.Figures.Frames} ({crowded.Figures.Misses}) | |");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| camera's PERSISTED ack latency, mean (fragments) | {alone.AckMs:0} ms ({alone.AckCount}) | {crowded.AckMs:0} ms ({crowded.AckCount}) | {Change(alone.AckMs, crowded.AckMs)} |"));
        Console.WriteLine($"| server append→PERSISTED (all streams) | {alone.Persist} | {crowded.Persist} | |");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| server CPU, % of one core | {alone.ServerCpu:0.0} % | {crowded.ServerCpu:0.0} % | |"));
        if (crowdMode != CrowdMode.Inline)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| simulated viewers' own CPU, % of one core | | {crowdCpu.TotalSeconds / seconds.TotalSeconds * 100:0.0} % | |"));
        }

        Console.WriteLine($"| load average (1 min) before → after | {alone.Load} | {crowded.Load} | |");
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"// simulated clients in the window: {(after.BlockingReloads - before.BlockingReloads) / perSecond:0.0} blocking reloads/s, {(after.Parts - before.Parts) / perSecond:0.0} parts/s, "
            + $"{(after.Hints - before.Hints) / perSecond:0.0} hinted parts/s, {(after.Bytes - before.Bytes) / perSecond / 1e6 * 8:0.0} Mbit/s, {after.Errors - before.Errors} errors{(after.LastError is { } e ? $" (last: {e})" : "")}"));
        Console.WriteLine($"// measured viewer's requests: {DescribeRequests(measured.Requests)}");
        var p95Ok = crowded.Figures.P95 <= alone.Figures.P95 * 1.2;
        var ackOk = crowded.AckMs <= alone.AckMs * 1.1;
        Console.WriteLine($"// p95 within 20 %: {(p95Ok ? "yes" : "no")}; PERSISTED ack latency within 10 %: {(ackOk ? "yes" : "no")}");
        return 0;
    }

    private sealed record Window(LatencyFigures Figures, double AckMs, long AckCount, string Persist, string Load, double ServerCpu);

    private static async Task<Window> WindowAsync(BrowserViewer page, AgentCameras cameras, ServerProcess server, string stream, TimeSpan length)
    {
        await page.TakeAsync(); // what was displayed before the window
        var acks = await cameras.AckLatencyAsync(stream);
        var persist = await server.PersistHistogramAsync();
        var load = Load();
        var cpu = server.Cpu();
        await Task.Delay(length);
        var samples = await page.TakeAsync();
        var acksAfter = await cameras.AckLatencyAsync(stream);
        var persistAfter = await server.PersistHistogramAsync();
        var serverCpu = (server.Cpu() - cpu).TotalSeconds / length.TotalSeconds * 100;
        var count = acksAfter.Count - acks.Count;
        return new Window(LatencyFigures.Of(samples), count == 0 ? double.NaN : (acksAfter.Sum - acks.Sum) / count * 1000, count,
            ServerProcess.DescribeHistogram(persist, persistAfter), $"{load} → {Load()}", serverCpu);
    }

    /// <summary>Waits until every page shows frames with a readable strip, then lets hls.js settle for <paramref name="warmup"/>.</summary>
    private static async Task WarmUpAsync(List<BrowserViewer> pages, TimeSpan warmup)
    {
        var clock = Stopwatch.StartNew();
        foreach (var page in pages)
        {
            var seen = 0;
            while (seen < 30)
            {
                seen += (await page.TakeAsync()).Samples.Count;
                if (clock.Elapsed > TimeSpan.FromSeconds(120))
                {
                    throw new InvalidOperationException($"{page.Name}: no frames with a readable strip within 120 s ({await page.StateAsync()}; errors: {string.Join("; ", await page.ErrorsAsync())})");
                }

                await Task.Delay(250);
            }
        }

        await Task.Delay(warmup);
        foreach (var page in pages)
        {
            await page.TakeAsync();
        }
    }

    private static async Task<(Uri? Url, string? Problem)> SessionAsync(HttpClient http, string stream, bool lowLatency)
    {
        object request = lowLatency
            ? new { StreamName = stream, PlaybackMode = "LIVE", HLSFragmentSelector = new { FragmentSelectorType = "PRODUCER_TIMESTAMP" }, DisplayFragmentTimestamp = "ALWAYS", Expires = 3600, LowLatency = true }
            : new { StreamName = stream, PlaybackMode = "LIVE", HLSFragmentSelector = new { FragmentSelectorType = "PRODUCER_TIMESTAMP" }, DisplayFragmentTimestamp = "ALWAYS", Expires = 3600 };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var content = new StringContent(JsonSerializer.Serialize(request), Encoding.UTF8, "application/json");
            using var answer = await http.PostAsync("getHLSStreamingSessionURL", content);
            var text = await answer.Content.ReadAsStringAsync();
            if (answer.StatusCode == HttpStatusCode.OK)
            {
                return (new Uri(JsonDocument.Parse(text).RootElement.GetProperty("HLSStreamingSessionURL").GetString()!), null);
            }

            // LIVE needs fragments: the camera's first ones are on their way.
            if (answer.StatusCode != HttpStatusCode.NotFound || clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                if (!lowLatency)
                {
                    throw new InvalidOperationException($"GetHLSStreamingSessionURL {stream}: {(int)answer.StatusCode} {text}");
                }

                return (null, $"GetHLSStreamingSessionURL with LowLatency answered {(int)answer.StatusCode} {text}");
            }

            await Task.Delay(250);
        }
    }

    private static async Task<bool> HasPartsAsync(HttpClient http, Uri master) =>
        (await MediaPlaylistAsync(http, master)).Contains("#EXT-X-PART-INF", StringComparison.Ordinal);

    /// <summary>The media playlist of a session (through its master playlist when it has one).</summary>
    private static async Task<string> MediaPlaylistAsync(HttpClient http, Uri url)
    {
        var text = await http.GetStringAsync(url);
        if (!text.Contains("#EXT-X-STREAM-INF", StringComparison.Ordinal))
        {
            return text;
        }

        var media = text.Split('\n').Select(l => l.Trim()).First(l => l.Length > 0 && !l.StartsWith('#'));
        return await http.GetStringAsync(new Uri(url, media));
    }

    /// <summary>The media playlist's header tags (what sets hls.js's hold-back), on one line.</summary>
    private static async Task<string> PlaylistHeaderAsync(HttpClient http, Uri url)
    {
        try
        {
            var lines = (await MediaPlaylistAsync(http, url)).Split('\n').Select(l => l.Trim())
                .TakeWhile(l => !l.StartsWith("#EXTINF", StringComparison.Ordinal) && !l.StartsWith("#EXT-X-PROGRAM-DATE-TIME", StringComparison.Ordinal) && !l.StartsWith("#EXT-X-PART:", StringComparison.Ordinal))
                .Where(l => l.StartsWith("#EXT-X-", StringComparison.Ordinal) && !l.StartsWith("#EXT-X-MAP", StringComparison.Ordinal));
            return string.Join(" ", lines);
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }
    }

    private static async Task WaitForAsync(string what, Func<Task<bool>> done, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!await done())
        {
            if (clock.Elapsed > timeout)
            {
                throw new InvalidOperationException($"{what}: not within {timeout.TotalSeconds:0} s");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>"getHLSMediaPlaylist.m3u8 ×40 (blocking ×38), part.mp4 ×190, …": what a page asked for, by resource.</summary>
    private static string DescribeRequests(IReadOnlyList<string> urls)
    {
        var groups = urls.Where(u => !u.StartsWith("http://viewer.test", StringComparison.Ordinal))
            .Select(u => new Uri(u))
            .GroupBy(u => u.AbsolutePath[(u.AbsolutePath.LastIndexOf('/') + 1)..])
            .Select(g =>
            {
                var blocking = g.Count(u => u.Query.Contains("_HLS_msn=", StringComparison.Ordinal));
                var name = g.Key.StartsWith("segment-", StringComparison.Ordinal) ? "segment-*.m4s" : g.Key;
                return (Name: name, Count: g.Count(), Blocking: blocking);
            })
            .GroupBy(g => g.Name)
            .Select(g => $"{g.Key} ×{g.Sum(x => x.Count)}{(g.Sum(x => x.Blocking) is > 0 and var b ? $" (with _HLS_msn ×{b})" : "")}");
        return string.Join(", ", groups);
    }

    private static string Change(double before, double after) =>
        double.IsNaN(before) || double.IsNaN(after) || before == 0 ? "–" : string.Create(CultureInfo.InvariantCulture, $"{(after - before) / before:+0.0 %;-0.0 %;0.0 %}");

    private static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];
}
