using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace VideoStreams.Server.Tests.Crash;

/// <summary>
/// The real server as its own process — <c>dotnet VideoStreams.Server.dll</c>, which the project reference copies next
/// to the tests — on an ephemeral port of 127.0.0.1 and a given data folder. It learns the port from the server's
/// "listening on" log line. <see cref="Kill"/> is SIGKILL: no shutdown hook, no last commit, no flush.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Task _stdout;
    private readonly Task _stderr;

    private ServerProcess(Process process)
    {
        _process = process;
        _stdout = PumpAsync(process.StandardOutput);
        _stderr = PumpAsync(process.StandardError);
    }

    public static string Dll { get; } = Path.Combine(AppContext.BaseDirectory, "VideoStreams.Server.dll");

    /// <summary>Where the server listens, e.g. http://127.0.0.1:41234/.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Everything the server printed so far (logs at Information for the server and the store, Warning otherwise).</summary>
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

    /// <summary>The console log entries at that level ("info", "warn", "fail", "crit"), each as "Category[id] message".</summary>
    public List<string> LogEntries(string level)
    {
        var lines = Output.Split('\n');
        var entries = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith(level + ": ", StringComparison.Ordinal))
            {
                entries.Add(lines[i][(level.Length + 2)..] + (i + 1 < lines.Length ? " " + lines[i + 1].Trim() : ""));
            }
        }

        return entries;
    }

    public static async Task<ServerProcess> StartAsync(string dataDirectory)
    {
        Assert.True(File.Exists(Dll), $"server not found at {Dll}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var argument in new[]
        {
            Dll, "--urls", "http://127.0.0.1:0", "--data", dataDirectory,
            "--Logging:LogLevel:Default", "Warning", "--Logging:LogLevel:VideoStreams.Server", "Information",
            "--Logging:LogLevel:VideoStreams.Storage", "Information",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var server = new ServerProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start the server"));
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (ListeningLine().Match(server.Output) is { Success: true } match)
            {
                server.BaseUrl = new Uri(match.Groups["url"].Value + "/");
                return server;
            }

            if (server._process.HasExited || clock.Elapsed > StartTimeout)
            {
                var why = server._process.HasExited ? $"exited with {server._process.ExitCode}" : "did not start listening in time";
                await server.DisposeAsync();
                Assert.Fail($"the server {why}:\n{server.Output}");
            }

            await Task.Delay(20);
        }
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>SIGKILL (what Process.Kill sends on Linux); safe to call more than once and from any thread.</summary>
    public void Kill()
    {
        try
        {
            // The server starts no child processes; walking /proc for a tree would only delay the kill on a busy box.
            _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>Waits until the process is gone (after <see cref="Kill"/>) and its output is drained.</summary>
    public async Task WaitForExitAsync()
    {
        await _process.WaitForExitAsync();
        await Task.WhenAll(_stdout, _stderr);
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await WaitForExitAsync();
        _process.Dispose();
    }

    private async Task PumpAsync(StreamReader reader)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (_output)
            {
                _output.Append(buffer, 0, read);
            }
        }
    }

    // ServerLog.Listening (event 5002) prints the bound addresses once Kestrel has started.
    [GeneratedRegex(@"listening on (?<url>http://127\.0\.0\.1:[0-9]+)")]
    private static partial Regex ListeningLine();
}
