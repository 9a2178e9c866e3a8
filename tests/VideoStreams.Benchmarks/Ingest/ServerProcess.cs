using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace VideoStreams.Benchmarks.Ingest;

/// <summary>
/// The product server in its own process, as an operator runs it: the Release build of src/VideoStreams.Server
/// (<c>dotnet VideoStreams.Server.dll --urls http://127.0.0.1:PORT --data DIR</c>), with settings passed as environment
/// variables (<c>VideoStreams__Ingest__MaxBytesPerSecond</c>, …). Logging is set to Warning so that per-session
/// Information lines do not cost at 1,000 streams. Its CPU time and memory are read from /proc.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private bool _disposed;

    private ServerProcess(Process process, IPEndPoint endPoint, string dataDirectory)
    {
        _process = process;
        EndPoint = endPoint;
        DataDirectory = dataDirectory;
        Http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri($"http://{endPoint}/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public IPEndPoint EndPoint { get; }

    public string DataDirectory { get; }

    public HttpClient Http { get; }

    public int Pid => _process.Id;

    public const string GeneratorSpinVariable = "DOTNET_ThreadPool_UnfairSemaphoreSpinLimit";

    public static string DefaultDll =>
        Path.Combine(SyntheticCamera.RepositoryRoot(), "src", "VideoStreams.Server", "bin", "Release", "net10.0", "VideoStreams.Server.dll");

    public static async Task<ServerProcess> StartAsync(string dll, string dataDirectory, IReadOnlyDictionary<string, string> settings)
    {
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"build the server first: dotnet build src/VideoStreams.Server -c Release ({dll})");
        }

        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}", "--data", dataDirectory])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dataDirectory,
        };
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // The generator's own runtime tuning (ingest-bench.sh sets it for the generator) is not the server's: the
        // server runs with the runtime's defaults unless a setting says otherwise (--server-env).
        start.Environment.Remove(GeneratorSpinVariable);
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the server");
        var server = new ServerProcess(process, new IPEndPoint(IPAddress.Loopback, port), dataDirectory);
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the server exited with {process.ExitCode}: {server.Output}");
            }

            try
            {
                using var health = await server.Http.GetAsync("health");
                if (health.IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException) when (clock.Elapsed < TimeSpan.FromSeconds(60))
            {
            }

            await Task.Delay(100);
        }
    }

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

    /// <summary>CreateStream with a retention, so that fragments are PERSISTED (retention 0 streams only get RECEIVED).</summary>
    public async Task CreateStreamAsync(string name, int retentionHours = 24)
    {
        using var content = new StringContent($"{{\"StreamName\":\"{name}\",\"DataRetentionInHours\":{retentionHours}}}", Encoding.UTF8, "application/json");
        using var answer = await Http.PostAsync("createStream", content);
        if (!answer.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"CreateStream {name}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>
    /// The server's own append→PERSISTED histogram (videostreams_ingest_persist_latency_seconds on /metrics): cumulative
    /// count per upper bound in seconds. Two scrapes subtracted give the window's distribution.
    /// </summary>
    public async Task<SortedDictionary<double, double>> PersistHistogramAsync()
    {
        var buckets = new SortedDictionary<double, double>();
        string text;
        try
        {
            text = await Http.GetStringAsync("metrics");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return buckets; // an overloaded server did not answer in time: no histogram for this run
        }

        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith("videostreams_ingest_persist_latency_seconds_bucket", StringComparison.Ordinal))
            {
                continue;
            }

            var le = line.IndexOf("le=\"", StringComparison.Ordinal) + 4;
            var bound = line[le..line.IndexOf('"', le)];
            var key = bound == "+Inf" ? double.PositiveInfinity : double.Parse(bound, System.Globalization.CultureInfo.InvariantCulture);
            var value = double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            buckets[key] = buckets.GetValueOrDefault(key) + value;
        }

        return buckets;
    }

    /// <summary>"≤ 10 ms 12 %, ≤ 25 ms …": the share of appends PERSISTED within each bound, between two scrapes.</summary>
    public static string DescribeHistogram(SortedDictionary<double, double> before, SortedDictionary<double, double> after)
    {
        var total = after.GetValueOrDefault(double.PositiveInfinity) - before.GetValueOrDefault(double.PositiveInfinity);
        if (total <= 0)
        {
            return "no samples";
        }

        return string.Join(", ", after.Where(b => b.Key is >= 0.005 and <= 0.5).Select(b =>
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"≤ {b.Key * 1000:0} ms {(b.Value - before.GetValueOrDefault(b.Key)) / total:P1}")));
    }

    /// <summary>The server's resident set now and its peak (VmRSS, VmHWM from /proc/PID/status), in MB.</summary>
    public (double RssMb, double PeakMb) Memory()
    {
        double rss = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line) / 1024.0;
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kilobytes(line) / 1024.0;
            }
        }

        return (rss, peak);
    }

    /// <summary>The server's CPU time so far (user + system).</summary>
    public TimeSpan Cpu()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>SIGTERM (a graceful stop: the store makes its last commit), then SIGKILL after 30 s.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Http.Dispose();
        if (!_process.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
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
            if (_output.Length < 64 * 1024)
            {
                _output.AppendLine(line);
            }
        }
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);

    private static int FreePort()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }
}
