using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace VideoStreams.Agent.Tests.EndToEnd;

/// <summary>
/// vs-agent as a real child process — <c>dotnet vs-agent.dll</c>, which the project reference copies next to the
/// tests — running one device file, with its Prometheus metrics on a port of 127.0.0.1 chosen here. Everything it
/// prints is kept. <see cref="Terminate"/> is SIGTERM (the graceful stop), <see cref="Kill"/> SIGKILL of the agent
/// alone: its ffmpeg child, if any, is left to notice the broken pipe, as after a real crash.
/// </summary>
internal sealed class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Task _stdout;
    private readonly Task _stderr;

    private AgentProcess(Process process, string deviceFile, Uri metricsUrl, string[] extraArguments)
    {
        _process = process;
        DeviceFile = deviceFile;
        MetricsUrl = metricsUrl;
        ExtraArguments = extraArguments;
        StartedAt = DateTimeOffset.UtcNow;
        Pid = process.Id;
        _stdout = PumpAsync(process.StandardOutput);
        _stderr = PumpAsync(process.StandardError);
    }

    public static string Dll { get; } = Path.Combine(AppContext.BaseDirectory, "vs-agent.dll");

    /// <summary>The device definition the agent runs.</summary>
    public string DeviceFile { get; }

    /// <summary>Where the agent serves /metrics.</summary>
    public Uri MetricsUrl { get; }

    /// <summary>When this process was launched (wall clock).</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>The process id.</summary>
    public int Pid { get; }

    /// <summary>True once the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code; only meaningful once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    private string[] ExtraArguments { get; }

    /// <summary>Everything the agent printed so far, stdout and stderr interleaved as they came.</summary>
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

    /// <summary>Starts <c>dotnet vs-agent.dll --metrics-urls … [extra] DEVICE.json</c>; does not wait for anything.</summary>
    public static AgentProcess Start(string deviceFile, params string[] extraArguments)
    {
        Assert.True(File.Exists(Dll), $"vs-agent not found at {Dll}");
        var metrics = new Uri($"http://127.0.0.1:{FreePort()}/");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(deviceFile)!,
        };
        start.ArgumentList.Add(Dll);
        start.ArgumentList.Add("--metrics-urls");
        start.ArgumentList.Add(metrics.ToString().TrimEnd('/'));
        foreach (var argument in extraArguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add(deviceFile);
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start vs-agent");
        return new AgentProcess(process, deviceFile, metrics, extraArguments);
    }

    /// <summary>A new agent process on the same device file (and so the same spool) and arguments.</summary>
    public AgentProcess StartAgain() => Start(DeviceFile, ExtraArguments);

    /// <summary>Waits until the agent has printed <paramref name="text"/>; fails with its output if it exits first.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited)
            {
                await Task.WhenAll(_stdout, _stderr);
                if (Output.Contains(text, StringComparison.Ordinal))
                {
                    return;
                }

                Assert.Fail($"vs-agent exited with {_process.ExitCode} before printing \"{text}\":\n{Output}");
            }

            Assert.True(clock.Elapsed < timeout, $"vs-agent did not print \"{text}\" within {timeout}:\n{Output}");
            await Task.Delay(50);
        }
    }

    /// <summary>Waits for the start line (<c>Device NAME: streaming …</c>).</summary>
    public Task WaitUntilStreamingAsync(string deviceName) =>
        WaitForOutputAsync($"Device {deviceName}: streaming", TimeSpan.FromSeconds(90));

    /// <summary>The /metrics text, or null when the agent does not answer (not up yet, or gone).</summary>
    public async Task<string?> MetricsAsync()
    {
        using var client = new HttpClient { BaseAddress = MetricsUrl, Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            return await client.GetStringAsync(new Uri("metrics", UriKind.Relative));
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>The ids of the agent's child processes (its ffmpeg encoder, when it runs one).</summary>
    public IReadOnlyList<int> Children()
    {
        var children = new List<int>();
        try
        {
            foreach (var task in Directory.GetDirectories($"/proc/{Pid}/task"))
            {
                var text = File.ReadAllText(Path.Combine(task, "children"));
                children.AddRange(text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture)));
            }
        }
        catch (IOException)
        {
            // The process is gone.
        }
        catch (UnauthorizedAccessException)
        {
        }

        return children;
    }

    /// <summary>SIGTERM: the graceful stop.</summary>
    public void Terminate() => Signal("TERM");

    /// <summary>SIGKILL of the agent only (not its children): no shutdown hook, no last fragment.</summary>
    public void Kill() => Signal("KILL");

    /// <summary>SIGTERM, then waits for the exit; SIGKILL (the whole tree) after <paramref name="timeout"/>. Returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        Terminate();
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            KillTree();
            await _process.WaitForExitAsync();
            Assert.Fail($"vs-agent did not stop within {timeout} of SIGTERM:\n{Output}");
        }

        await Task.WhenAll(_stdout, _stderr);
        return _process.ExitCode;
    }

    /// <summary>Waits until the process is gone and its output is drained.</summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"vs-agent did not exit within {timeout}:\n{Output}");
        }

        await Task.WhenAll(_stdout, _stderr);
    }

    public async ValueTask DisposeAsync()
    {
        KillTree();
        await _process.WaitForExitAsync();
        await Task.WhenAll(_stdout, _stderr);
        _process.Dispose();
    }

    private void KillTree()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    // .NET has no API for SIGTERM, and Process.Kill(false) is SIGKILL of this process only, so kill(1) sends both.
    private void Signal(string signal)
    {
        if (_process.HasExited)
        {
            return;
        }

        using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        if (kill.ExitCode != 0 && !_process.HasExited)
        {
            throw new InvalidOperationException($"kill -{signal} {_process.Id} failed with exit code {kill.ExitCode}");
        }
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

    /// <summary>A port of 127.0.0.1 free right now (bound to 0 and released).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
