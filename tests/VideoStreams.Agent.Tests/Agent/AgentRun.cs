using System.Text;
using VideoStreams.Agent.Runtime;
using VideoStreams.TestSupport;

namespace VideoStreams.Agent.Tests.Agent;

/// <summary>The agent's main entry called in-process, with its stdout and stderr captured.</summary>
internal sealed class AgentRun : IAsyncDisposable
{
    private readonly StringWriter _stdout = new();
    private readonly StringWriter _stderr = new();
    private readonly TextWriter _out;
    private readonly TextWriter _err;
    private readonly CancellationTokenSource _stop = new();

    private AgentRun(string[] args, AgentHooks? hooks)
    {
        _out = TextWriter.Synchronized(_stdout);
        _err = TextWriter.Synchronized(_stderr);
        Exit = Task.Run(() => AgentApp.RunAsync(args, _out, _err, _stop.Token, hooks));
    }

    /// <summary>The exit code, once the agent returns.</summary>
    public Task<int> Exit { get; }

    public string Stdout
    {
        get
        {
            lock (_out)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_err)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>The lines the agent wrote to stderr.</summary>
    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public static AgentRun Start(AgentHooks? hooks, params string[] args) => new(args, hooks);

    /// <summary>Runs the agent to its end (it must end by itself within a minute) and returns the exit code.</summary>
    public static async Task<(int ExitCode, AgentRun Run)> RunToEndAsync(AgentHooks? hooks, params string[] args)
    {
        var run = new AgentRun(args, hooks);
        var code = await run.Exit.WaitAsync(TimeSpan.FromSeconds(90));
        return (code, run);
    }

    /// <summary>Waits until stdout holds <paramref name="text"/> (a log line), or fails with what the agent printed.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (!Stdout.Contains(text, StringComparison.Ordinal))
        {
            if (Exit.IsCompleted || DateTime.UtcNow > deadline)
            {
                Assert.Fail($"the agent did not print \"{text}\" (exited: {Exit.IsCompleted}):\n{Stdout}\nstderr:\n{Stderr}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Asks for a graceful stop (what SIGTERM does in the process) and returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        await _stop.CancelAsync();
        return await Exit.WaitAsync(TimeSpan.FromSeconds(90));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Exit.WaitAsync(TimeSpan.FromSeconds(90));
        }
        catch (TimeoutException)
        {
            // Reported by the test that left it running.
        }

        _stop.Dispose();
    }
}

/// <summary>A temporary folder for device files and spools, deleted at the end.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "vs-agent-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>The repository's devices/ folder.</summary>
    public static string DevicesFolder => System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Samples.Folder)!, "devices");

    /// <summary>Writes a device file (JSON, comments allowed) and returns its path.</summary>
    public string Write(string name, string json)
    {
        var path = System.IO.Path.Combine(Path, name);
        File.WriteAllText(path, json, Encoding.UTF8);
        return path;
    }

    /// <summary>A valid synthetic device file with its spool in this folder; <paramref name="extra"/> adds or overrides top-level members.</summary>
    public string Device(string name, Uri server, string stream = "cam", bool create = true, string source = """{ "type": "synthetic", "width": 320, "height": 240, "frameRate": 30 }""", string extra = "", double startupTimeoutSeconds = 20) =>
        Write(name, $$"""
            {
              "name": "{{stream}}",
              "stream": { "name": "{{stream}}", "create": {{(create ? "true" : "false")}} },
              "server": { "url": "{{server}}", "startupTimeoutSeconds": {{startupTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}} },
              "source": {{source}},
              "fragmentDurationMs": 1000,
              "spool": { "path": "spool/{{stream}}", "maxBytes": 67108864 }{{(extra.Length > 0 ? ",\n  " + extra : "")}}
            }
            """);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is not worth failing a test for.
        }
    }
}
