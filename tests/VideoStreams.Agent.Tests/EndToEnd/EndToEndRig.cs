using VideoStreams.Server.Tests.Crash;
using Xunit.Abstractions;

namespace VideoStreams.Agent.Tests.EndToEnd;

/// <summary>
/// One end-to-end scene: a temp folder, the server as a real process on a data folder in it, the agents started in
/// it, and a log of what the test did (written to the test output, with the agents' and the server's output on
/// failure). Disposing kills whatever still runs and deletes the folder.
/// </summary>
internal sealed class EndToEndRig : IAsyncDisposable
{
    private readonly ITestOutputHelper _log;
    private readonly List<AgentProcess> _agents = [];
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    private EndToEndRig(ITestOutputHelper log, string folder, ServerProcess server)
    {
        _log = log;
        Folder = folder;
        Server = server;
        Client = server.CreateClient();
    }

    public string Folder { get; }

    public string DataFolder => Path.Combine(Folder, "data");

    public ServerProcess Server { get; private set; }

    /// <summary>A client of the current server process.</summary>
    public HttpClient Client { get; private set; }

    public static async Task<EndToEndRig> StartAsync(ITestOutputHelper log)
    {
        var folder = Path.Combine(Path.GetTempPath(), "vs-e2e-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path.Combine(folder, "data"));
        var server = await ServerProcess.StartAsync(Path.Combine(folder, "data"));
        var rig = new EndToEndRig(log, folder, server);
        rig.Log($"server up at {server.BaseUrl} (data {rig.DataFolder})");
        return rig;
    }

    /// <summary>Writes a timestamped line to the test output.</summary>
    public void Log(string message) =>
        _log.WriteLine($"[{_clock.Elapsed.TotalSeconds,7:F1}s {DateTimeOffset.UtcNow:HH:mm:ss.fff}] {message}");

    /// <summary>Starts vs-agent on a device file written into the rig's folder.</summary>
    public AgentProcess StartAgent(DeviceFile device, params string[] extraArguments)
    {
        var path = device.WriteTo(Folder);
        var agent = AgentProcess.Start(path, extraArguments);
        _agents.Add(agent);
        Log($"vs-agent started (pid {agent.Pid}) on {path}");
        return agent;
    }

    /// <summary>A new agent process on the same device file and spool.</summary>
    public AgentProcess RestartAgent(AgentProcess previous)
    {
        var agent = previous.StartAgain();
        _agents.Add(agent);
        Log($"vs-agent restarted (pid {agent.Pid})");
        return agent;
    }

    /// <summary>SIGKILLs the server, waits until it is gone, and starts it again on the same data folder (a new port).</summary>
    public async Task<ServerProcess> KillAndRestartServerAsync(TimeSpan downtime)
    {
        Server.Kill();
        await Server.WaitForExitAsync();
        Log($"server SIGKILLed; down for {downtime.TotalSeconds:F1} s");
        await Task.Delay(downtime);
        await Server.DisposeAsync();
        Client.Dispose();
        Server = await ServerProcess.StartAsync(DataFolder);
        Client = Server.CreateClient();
        Log($"server restarted at {Server.BaseUrl}");
        return Server;
    }

    /// <summary>The agents' and the server's output, for a failure message.</summary>
    public string Diagnostics()
    {
        var text = new System.Text.StringBuilder();
        foreach (var agent in _agents)
        {
            text.Append("---- vs-agent pid ").Append(agent.Pid).AppendLine(" ----").AppendLine(Tail(agent.Output, 6000));
        }

        text.AppendLine("---- server ----").AppendLine(Tail(Server.Output, 3000));
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }

        Client.Dispose();
        await Server.DisposeAsync();
        if (Environment.GetEnvironmentVariable("VS_E2E_KEEP") == "1")
        {
            // For a post-mortem: every process's whole output next to the data, spool and stored media.
            foreach (var agent in _agents)
            {
                await File.WriteAllTextAsync(Path.Combine(Folder, $"agent-{agent.Pid}.log"), agent.Output);
            }

            await File.WriteAllTextAsync(Path.Combine(Folder, "server.log"), Server.Output);
            _log.WriteLine($"kept {Folder} (VS_E2E_KEEP=1)");
            return;
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A straggling ffmpeg child may still hold a file; the temp folder is cleaned by the OS eventually.
        }
    }

    private static string Tail(string text, int chars) => text.Length <= chars ? text : "…" + text[^chars..];
}
