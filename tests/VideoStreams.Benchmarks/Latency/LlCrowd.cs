using System.Diagnostics;
using System.Globalization;

namespace VideoStreams.Benchmarks.Latency;

/// <summary>
/// The simulated LL-HLS viewers (<see cref="LlHlsClient"/>) of the 50-viewer check. In production viewers run on their
/// own machines; here they share the server's 2 cores, so by default they run in a child process under Linux's
/// <c>SCHED_IDLE</c> policy (<c>chrt --idle 0</c>): the server's work for them (the same requests per second, reported)
/// stays in the measurement, while their own parsing and reading runs only on CPU time nothing else wants, and any
/// server, agent or encoder thread that wakes up preempts them at once. <see cref="CrowdMode.Nice"/> runs the child at
/// <c>nice -n 19</c> instead: it yields CPU share but not wake-ups (a woken thread may wait out the running client's
/// slice), so the clients' own work still delays the camera's acks a little. <see cref="CrowdMode.Inline"/> runs them
/// in the benchmark process at normal priority.
/// </summary>
internal abstract class LlCrowd : IAsyncDisposable
{
    public static async Task<LlCrowd> StartAsync(CrowdMode mode, Uri url, int count, bool preloadHints)
    {
        if (mode == CrowdMode.Inline)
        {
            return new InlineCrowd(url, count, preloadHints);
        }

        var crowd = new ProcessCrowd(mode, url, count, preloadHints);
        await crowd.SnapshotAsync(); // started and answering
        return crowd;
    }

    /// <summary>CPU time the simulated viewers used so far (user + system; zero when they run in this process).</summary>
    public abstract TimeSpan Cpu();

    /// <summary>The counters so far: (blocking reloads, parts, hinted parts, playlists, errors, bytes, last error).</summary>
    public abstract Task<(long BlockingReloads, long Parts, long Hints, long Playlists, long Errors, long Bytes, string? LastError)> SnapshotAsync();

    public abstract ValueTask DisposeAsync();

    /// <summary>
    /// The child process's side (<c>VideoStreams.Benchmarks ll-crowd URL COUNT yes|no</c>): runs the clients until
    /// stdin closes, and answers each line it reads with the counters on one line.
    /// </summary>
    public static async Task<int> RunChildAsync(string[] args)
    {
        if (args.Length != 3)
        {
            Console.Error.WriteLine("usage: ll-crowd URL COUNT yes|no");
            return 2;
        }

        var url = new Uri(args[0]);
        var count = int.Parse(args[1], CultureInfo.InvariantCulture);
        await using var crowd = new InlineCrowd(url, count, args[2] == "yes");
        while (await Console.In.ReadLineAsync() is not null)
        {
            var s = await crowd.SnapshotAsync();
            Console.WriteLine(string.Join('\t', s.BlockingReloads, s.Parts, s.Hints, s.Playlists, s.Errors, s.Bytes, (s.LastError ?? "").ReplaceLineEndings(" ")));
        }

        return 0;
    }

    private sealed class InlineCrowd : LlCrowd
    {
        private readonly HttpClient _http;
        private readonly LlClientCounters _counters = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task[] _clients;

        public InlineCrowd(Uri url, int count, bool preloadHints)
        {
            _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 4 * count, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
            {
                Timeout = TimeSpan.FromSeconds(30),
            };
            _clients = Enumerable.Range(0, count)
                .Select(_ => Task.Run(() => new LlHlsClient(_http, url, _counters, preloadHints).RunAsync(_stop.Token)))
                .ToArray();
        }

        public override TimeSpan Cpu() => TimeSpan.Zero;

        public override Task<(long BlockingReloads, long Parts, long Hints, long Playlists, long Errors, long Bytes, string? LastError)> SnapshotAsync() =>
            Task.FromResult((Interlocked.Read(ref _counters.BlockingReloads), Interlocked.Read(ref _counters.Parts), Interlocked.Read(ref _counters.Hints),
                Interlocked.Read(ref _counters.Playlists), Interlocked.Read(ref _counters.Errors), Interlocked.Read(ref _counters.Bytes), _counters.LastError));

        public override async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_clients);
            _http.Dispose();
            _stop.Dispose();
        }
    }

    private sealed class ProcessCrowd : LlCrowd
    {
        private readonly Process _process;

        public ProcessCrowd(CrowdMode mode, Uri url, int count, bool preloadHints)
        {
            var (launcher, priority) = mode == CrowdMode.Idle ? ("chrt", (string[])["--idle", "0"]) : ("nice", ["-n", "19"]);
            var psi = new ProcessStartInfo(launcher)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (var arg in (string[])[.. priority, Environment.ProcessPath!, typeof(LlCrowd).Assembly.Location, "ll-crowd", url.ToString(),
                         count.ToString(CultureInfo.InvariantCulture), preloadHints ? "yes" : "no"])
            {
                psi.ArgumentList.Add(arg);
            }

            _process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start the simulated viewers' process ({launcher})");
        }

        public override TimeSpan Cpu()
        {
            _process.Refresh();
            return _process.HasExited ? TimeSpan.Zero : _process.TotalProcessorTime;
        }

        public override async Task<(long BlockingReloads, long Parts, long Hints, long Playlists, long Errors, long Bytes, string? LastError)> SnapshotAsync()
        {
            await _process.StandardInput.WriteLineAsync();
            await _process.StandardInput.FlushAsync();
            var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30))
                ?? throw new InvalidOperationException($"the simulated viewers' process ended (exit code {(_process.HasExited ? _process.ExitCode : -1)})");
            var f = line.Split('\t');
            long L(int i) => long.Parse(f[i], CultureInfo.InvariantCulture);
            return (L(0), L(1), L(2), L(3), L(4), L(5), f[6].Length == 0 ? null : f[6]);
        }

        public override async ValueTask DisposeAsync()
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(15)))
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync();
            _process.Dispose();
        }
    }
}

/// <summary>Where and at what priority the simulated viewers run.</summary>
internal enum CrowdMode
{
    /// <summary>A child process under SCHED_IDLE (the default).</summary>
    Idle,

    /// <summary>A child process at nice 19.</summary>
    Nice,

    /// <summary>In the benchmark process, at normal priority.</summary>
    Inline,
}
