using System.Globalization;
using VideoStreams.Agent.Tests.EndToEnd;

namespace VideoStreams.EndToEnd.Tests.Support;

/// <summary>
/// A camera whose frames carry their capture time: vs-agent (a real process) running one device with the synthetic
/// source (SyntheticPattern burns the capture time into the top rows of every frame), libx264, and short GOPs (one
/// per fragment), streaming to the server under test. Its device file and spool live in a temporary folder that
/// disposal removes with the process.
/// </summary>
internal sealed class StripCamera : IAsyncDisposable
{
    private readonly string _folder;

    private StripCamera(string folder, AgentProcess agent)
    {
        _folder = folder;
        Agent = agent;
    }

    /// <summary>The agent process.</summary>
    public AgentProcess Agent { get; }

    /// <summary>
    /// Starts the agent on a new stream (created by the agent, retention one hour) and waits until its start line.
    /// </summary>
    public static async Task<StripCamera> StartAsync(Uri server, string stream, int width = 320, int height = 240, int frameRate = 15, int fragmentMs = 1000)
    {
        var folder = Directory.CreateTempSubdirectory("vs-e2e-camera-").FullName;
        var device = Path.Combine(folder, "camera.json");
        var gop = frameRate * fragmentMs / 1000;
        await File.WriteAllTextAsync(device, string.Create(CultureInfo.InvariantCulture, $$"""
            {
              "name": "strip-camera",
              "stream": { "name": "{{stream}}", "create": true, "retentionHours": 1 },
              "server": { "url": "{{server}}", "startupTimeoutSeconds": 60 },
              "source": { "type": "synthetic", "width": {{width}}, "height": {{height}}, "frameRate": {{frameRate}} },
              "encoder": { "bitrateKbps": 400, "profile": "baseline", "preset": "ultrafast", "gopFrames": {{gop}} },
              "fragmentDurationMs": {{fragmentMs}},
              "spool": { "path": "spool", "maxBytes": 67108864, "sync": "none" }
            }
            """));
        var agent = AgentProcess.Start(device);
        var camera = new StripCamera(folder, agent);
        try
        {
            await agent.WaitUntilStreamingAsync("strip-camera");
        }
        catch
        {
            await camera.DisposeAsync();
            throw;
        }

        return camera;
    }

    public async ValueTask DisposeAsync()
    {
        await Agent.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a dying child; the temporary folder is the system's to clean.
        }
    }
}
