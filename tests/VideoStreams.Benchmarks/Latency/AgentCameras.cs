using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace VideoStreams.Benchmarks.Latency;

/// <summary>One camera of the run: the agent's synthetic source into its own stream.</summary>
/// <param name="Stream">Device and stream name.</param>
/// <param name="FragmentMs">fragmentDurationMs; the GOP is one fragment long (encoder.gopFrames), so each fragment starts with an IDR.</param>
/// <param name="FramesAsCaptured">upload.framesAsCaptured (the fragment in progress streamed frame by frame); null leaves it out.</param>
internal sealed record CameraSpec(string Stream, int FragmentMs, bool? FramesAsCaptured);

/// <summary>
/// The cameras: one vs-agent process (the Release build, <c>dotnet vs-agent.dll --server URL --metrics-urls URL
/// FOLDER</c>) running one synthetic device per <see cref="CameraSpec"/>: 640x360 (or <c>--size</c>) at 30 fps with the capture time burned
/// into every frame, libx264 veryfast (the agent adds -tune zerolatency and no B-frames), 1 Mbit/s. Device files and
/// spools live in a temporary folder of the run.
/// </summary>
internal sealed class AgentCameras : IAsyncDisposable
{
    /// <summary>The picture size of every source (the cameras and ffmpeg's), 640x360 unless <c>--size</c> says otherwise.</summary>
    public static int Width { get; set; } = 640;

    public static int Height { get; set; } = 360;
    public const int FrameRate = 30;

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private AgentCameras(Process process, Uri metrics)
    {
        _process = process;
        MetricsUrl = metrics;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri MetricsUrl { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<AgentCameras> StartAsync(string dll, string folder, Uri server, IReadOnlyList<CameraSpec> cameras)
    {
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"build the agent first: dotnet build src/VideoStreams.Agent -c Release ({dll})");
        }

        var devices = Path.Combine(folder, "devices");
        Directory.CreateDirectory(devices);
        foreach (var camera in cameras)
        {
            var upload = camera.FramesAsCaptured is { } live ? $$""", "upload": { "framesAsCaptured": {{(live ? "true" : "false")}} }""" : "";
            await File.WriteAllTextAsync(Path.Combine(devices, camera.Stream + ".json"), string.Create(CultureInfo.InvariantCulture, $$"""
                {
                  "name": "{{camera.Stream}}",
                  "stream": { "name": "{{camera.Stream}}", "create": true, "retentionHours": 1 },
                  "server": { "url": "{{server}}", "startupTimeoutSeconds": 60 },
                  "source": { "type": "synthetic", "width": {{Width}}, "height": {{Height}}, "frameRate": {{FrameRate}} },
                  "encoder": { "bitrateKbps": 1000, "profile": "main", "preset": "veryfast", "gopFrames": {{FrameRate * camera.FragmentMs / 1000}} },
                  "fragmentDurationMs": {{camera.FragmentMs}},
                  "spool": { "path": "{{Path.Combine(folder, "spool", camera.Stream)}}", "maxBytes": 268435456, "sync": "everyFragment" }{{upload}}
                }
                """));
        }

        var metrics = new Uri($"http://127.0.0.1:{FreePort()}/metrics");
        var start = new ProcessStartInfo("dotnet", [dll, "--server", server.ToString(), "--metrics-urls", metrics.ToString(), devices])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start vs-agent");
        var agent = new AgentCameras(process, metrics);
        var clock = Stopwatch.StartNew();
        while (cameras.Any(c => !agent.Output.Contains($"Device {c.Stream}: streaming", StringComparison.Ordinal)))
        {
            if (process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(90))
            {
                throw new InvalidOperationException($"vs-agent did not start its cameras (exit {(process.HasExited ? process.ExitCode : "none yet")}):\n{agent.Output}");
            }

            await Task.Delay(100);
        }

        return agent;
    }

    /// <summary>
    /// The uploader's release latency of one stream so far (videostreams.producer.upload.latency: from a fragment's end,
    /// when the fragmenter spooled it, to its PERSISTED ack): the running sum in seconds and count.
    /// </summary>
    public async Task<(double Sum, long Count)> AckLatencyAsync(string stream)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var text = await http.GetStringAsync(MetricsUrl);
        double sum = 0;
        long count = 0;
        foreach (var line in text.Split('\n'))
        {
            if (!line.Contains($"=\"{stream}\"", StringComparison.Ordinal))
            {
                continue;
            }

            var value = line[(line.LastIndexOf(' ') + 1)..];
            if (line.StartsWith("videostreams_producer_upload_latency_seconds_sum", StringComparison.Ordinal))
            {
                sum = double.Parse(value, CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("videostreams_producer_upload_latency_seconds_count", StringComparison.Ordinal))
            {
                count = long.Parse(value, CultureInfo.InvariantCulture);
            }
        }

        return (sum, count);
    }

    /// <summary>SIGTERM (the graceful stop), SIGKILL of the tree after 20 s.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < 256 * 1024)
            {
                _output.AppendLine(line);
            }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
