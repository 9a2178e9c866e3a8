using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using VideoStreams.Benchmarks.Ingest;

namespace VideoStreams.Benchmarks.Hls;

/// <summary>
/// HLS segment requests/s for N concurrent viewers of one stream: our server (its own process, the Release build)
/// answering an ON_DEMAND session's media playlist and fMP4 segments, side by side with nginx serving the very same
/// playlist and segment bytes as static files (written once from our server's answers). hls-bench.sh starts nginx on
/// the static folder and passes its URL; both targets are loaded by the same generator, alternating, in one run.
/// </summary>
internal static class HlsBench
{
    private const string Usage = "usage: hls --static-dir DIR --static-url URL [--viewers 200] [--seconds 15] [--warmup 5] [--rounds 2] "
        + "[--media-seconds 30] [--data DIR] [--server-dll PATH] [--server-env NAME=VALUE ...]\n       hls free-port";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["free-port"])
        {
            using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            Console.WriteLine(((System.Net.IPEndPoint)listener.LocalEndpoint).Port);
            return 0;
        }

        var options = new Dictionary<string, string>();
        var serverEnv = new Dictionary<string, string>();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
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

        if (!options.TryGetValue("--static-dir", out var staticDir) || !options.TryGetValue("--static-url", out var staticUrl))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        int Int(string name, int fallback) => options.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var viewers = Int("--viewers", 200);
        var measure = TimeSpan.FromSeconds(Int("--seconds", 15));
        var warmup = TimeSpan.FromSeconds(Int("--warmup", 5));
        var rounds = Int("--rounds", 2);
        var mediaSeconds = Int("--media-seconds", 30);
        var root = SyntheticCamera.RepositoryRoot();
        var data = options.GetValueOrDefault("--data") ?? Path.Combine(root, "artifacts", "bench", "hls", "data-" + Environment.ProcessId);
        var dll = options.GetValueOrDefault("--server-dll") ?? ServerProcess.DefaultDll;

        var input = EnsureInput(Path.Combine(root, "artifacts", "bench"), mediaSeconds);
        Directory.CreateDirectory(data);
        try
        {
            await using var server = await ServerProcess.StartAsync(dll, data, serverEnv);
            var session = await IngestAndOpenSessionAsync(server, input);
            var ours = await HlsStaticCopy.MediaPlaylistAsync(server.Http, session);
            var copy = await HlsStaticCopy.WriteAsync(server.Http, ours, staticDir);
            var nginx = new Uri(new Uri(staticUrl.TrimEnd('/') + "/"), HlsStaticCopy.PlaylistName);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"// one stream: {copy.Segments} segments, {copy.Bytes / 1e6:0.0} MB ({copy.Bytes / copy.Segments / 1e3:0} kB each), {viewers} viewers, {measure.TotalSeconds:0} s measured after {warmup.TotalSeconds:0} s warm-up, {rounds} round(s)"));
            Console.WriteLine($"// ours:  {ours}");
            Console.WriteLine($"// nginx: {nginx} ({NginxVersion()})");
            Console.WriteLine();
            Console.WriteLine("| round | target | segments/s | MB/s | playlists/s | failures | segment p50 ms | p99 ms |");
            Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|");
            var totals = new Dictionary<string, (long Segments, double Seconds)>();
            for (var round = 1; round <= rounds; round++)
            {
                // Alternating, so that a machine that slows down during the run does not favour one side.
                var order = round % 2 == 1 ? new[] { ("nginx", nginx), ("videostreams", ours) } : [("videostreams", ours), ("nginx", nginx)];
                foreach (var (name, url) in order)
                {
                    var result = await HlsLoad.RunAsync(name, url, viewers, warmup, measure);
                    Print(round, result);
                    var (segments, seconds) = totals.GetValueOrDefault(name);
                    totals[name] = (segments + result.Segments, seconds + result.Measured.TotalSeconds);
                }
            }

            var oursRate = totals["videostreams"].Segments / totals["videostreams"].Seconds;
            var nginxRate = totals["nginx"].Segments / totals["nginx"].Seconds;
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"// over all rounds: videostreams {oursRate:0} segments/s, nginx {nginxRate:0} segments/s: {oursRate / nginxRate:P0} of nginx (target ≥ 50 %)"));
            return 0;
        }
        finally
        {
            if (!options.ContainsKey("--data"))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    private static void Print(int round, HlsLoadResult r) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {round} | {r.Target} | {r.SegmentsPerSecond:0} | {r.MegabytesPerSecond:0} | {r.Playlists / r.Measured.TotalSeconds:0} | {r.Failures}{(r.Failures > 0 ? $" ({r.FirstFailure})" : "")} | {r.SegmentLatency.Percentile(0.5):0.0} | {r.SegmentLatency.Percentile(0.99):0.0} |"));

    /// <summary>
    /// Real 720p H.264 at 2 Mbps with a keyframe every 2 s, in 2 s clusters (one fragment each): ffmpeg, once, cached.
    /// </summary>
    private static string EnsureInput(string cache, int seconds)
    {
        var path = Path.Combine(cache, $"hls-{seconds}s-720p30-2M.mkv");
        if (File.Exists(path))
        {
            return path;
        }

        Directory.CreateDirectory(cache);
        var partial = $"{path}.{Environment.ProcessId}.partial";
        Console.WriteLine($"// generating {path} with ffmpeg (one time)...");
        string[] arguments =
        [
            "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", $"testsrc2=size=1280x720:rate=30:duration={seconds}",
            "-c:v", "libx264", "-profile:v", "high", "-preset", "veryfast", "-pix_fmt", "yuv420p",
            "-g", "60", "-keyint_min", "60", "-sc_threshold", "0", "-b:v", "2M", "-maxrate", "2M", "-bufsize", "4M",
            "-cluster_time_limit", "2000", "-cluster_size_limit", "50000000", "-f", "matroska", partial,
        ];
        using (var ffmpeg = Process.Start(new ProcessStartInfo("ffmpeg", arguments) { UseShellExecute = false })
            ?? throw new InvalidOperationException("could not start ffmpeg"))
        {
            ffmpeg.WaitForExit();
            if (ffmpeg.ExitCode != 0)
            {
                throw new InvalidOperationException($"ffmpeg failed with exit code {ffmpeg.ExitCode}");
            }
        }

        File.Move(partial, path, overwrite: true);
        return path;
    }

    /// <summary>PutMedia's the input (RELATIVE, from a fixed producer time), then opens an ON_DEMAND session over it.</summary>
    private static async Task<Uri> IngestAndOpenSessionAsync(ServerProcess server, string input)
    {
        const long StartMs = 1_700_000_000_000;
        var stream = "hls-bench";
        await server.CreateStreamAsync(stream);
        await using (var file = File.OpenRead(input))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "putMedia") { Content = new StreamContent(file, 64 * 1024) };
            request.Headers.TransferEncodingChunked = true;
            request.Headers.Add("x-amzn-stream-name", stream);
            request.Headers.Add("x-amzn-fragment-timecode-type", "RELATIVE");
            request.Headers.Add("x-amzn-producer-start-timestamp", (StartMs / 1000).ToString(CultureInfo.InvariantCulture));
            using var response = await server.Http.SendAsync(request);
            var acks = await response.Content.ReadAsStringAsync();
            var persisted = acks.Split('\n').Count(l => l.Contains("\"PERSISTED\"", StringComparison.Ordinal));
            if (!response.IsSuccessStatusCode || persisted == 0 || acks.Contains("\"ERROR\"", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"PutMedia of {input}: HTTP {(int)response.StatusCode}, {persisted} PERSISTED\n{acks}");
            }
        }

        var body = JsonSerializer.Serialize(new
        {
            StreamName = stream,
            PlaybackMode = "ON_DEMAND",
            HLSFragmentSelector = new
            {
                FragmentSelectorType = "PRODUCER_TIMESTAMP",
                TimestampRange = new { StartTimestamp = StartMs / 1000.0, EndTimestamp = (StartMs / 1000.0) + 86_000 },
            },
            Expires = 43_200,
        });
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var answer = await server.Http.PostAsync("getHLSStreamingSessionURL", content);
        var text = await answer.Content.ReadAsStringAsync();
        if (!answer.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GetHLSStreamingSessionURL: HTTP {(int)answer.StatusCode} {text}");
        }

        return new Uri(JsonDocument.Parse(text).RootElement.GetProperty("HLSStreamingSessionURL").GetString()!);
    }

    private static string NginxVersion()
    {
        try
        {
            using var nginx = Process.Start(new ProcessStartInfo("nginx", "-v") { RedirectStandardError = true, UseShellExecute = false })!;
            var text = nginx.StandardError.ReadToEnd().Trim();
            nginx.WaitForExit();
            return text;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "nginx not on the PATH";
        }
    }
}
