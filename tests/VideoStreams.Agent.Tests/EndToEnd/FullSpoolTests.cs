using VideoStreams.Agent.Tests.Faults;
using VideoStreams.TestSupport;
using Xunit.Abstractions;

namespace VideoStreams.Agent.Tests.EndToEnd;

/// <summary>
/// Issue 7, acceptance: with the server out of reach long enough to fill a small spool, the agent drops the oldest
/// footage first, says so in a log line (event 7104) and a metric (dropped fragments, reason overflow), and keeps
/// streaming once the server is back.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection("EndToEnd")] // one at a time: each runs a server, an agent and ffmpeg on a 2-core machine
public sealed class FullSpoolTests(ITestOutputHelper output)
{
    private const int FragmentMs = 1000;

    [Fact]
    public async Task A_full_spool_drops_the_oldest_fragments_logs_and_counts_it_and_streaming_goes_on()
    {
        await using var rig = await EndToEndRig.StartAsync(output);

        // A camera that fills a spool fast: ~10 Mbps of noise (x264 cannot squeeze it), played in a loop and passed
        // through. The synthetic pattern compresses too well to fill even the smallest spool in a short test.
        var clip = Path.Combine(rig.Folder, "noise-640x360-10mbps.mkv");
        (await ToolRunner.RunAsync("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30",
            "-vf", "noise=alls=60:allf=t+u", "-t", "4", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            "-b:v", "8M", "-maxrate", "8M", "-bufsize", "16M", "-g", "30", "-keyint_min", "30", "-sc_threshold", "0", clip)).EnsureSuccess("ffmpeg noise clip");
        await using var proxy = new TcpFaultProxy(rig.Server.BaseUrl);
        var device = new DeviceFile
        {
            Name = "fullspool-" + Guid.NewGuid().ToString("N")[..8],
            ServerUrl = proxy.BaseUrl,
            Source = DeviceFile.FileSource(clip, loop: true, mode: "passthrough"),
            FragmentDurationMs = FragmentMs,
            // The smallest spool vs-agent accepts (4 MiB) against ~1.2 MB a second: full after a few seconds without
            // the server.
            SpoolMaxBytes = 4 * 1024 * 1024,
            StallTimeoutSeconds = 3,
        };
        var agent = rig.StartAgent(device);
        await agent.WaitUntilStreamingAsync(device.Name);
        await WaitForAsync(rig, async () => (await StoredStream.ListOrEmptyAsync(rig.Client, device.Name)).Count >= 2, "the first fragments to be stored");

        var outageStartMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        proxy.Cut(Timeout.InfiniteTimeSpan);
        rig.Log("proxy: refusing connections for 20 s");
        await Task.Delay(TimeSpan.FromSeconds(20));

        // The log line and the metric, while the outage lasts.
        Assert.True(agent.Output.Contains("dropped the oldest segment", StringComparison.Ordinal) && agent.Output.Contains("7104", StringComparison.Ordinal),
            $"no drop-oldest log line (event 7104) after 20 s without the server\n{rig.Diagnostics()}");
        var metrics = await agent.MetricsAsync();
        var dropped = PrometheusText.Sum(metrics, "dropped_fragments", "reason=\"overflow\"");
        rig.Log($"dropped_fragments{{reason=overflow}} = {dropped}");
        Assert.True(dropped > 0, $"/metrics shows no dropped_fragments with reason=\"overflow\":\n{metrics}");

        proxy.Resume();
        var resumedAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        rig.Log("proxy: forwarding again");

        // Streaming goes on: fragments captured after the outage are stored.
        await WaitForAsync(rig, async () => (await StoredStream.ListAsync(rig.Client, device.Name)).Any(f => f.ProducerMs > resumedAtMs + FragmentMs), "new fragments after the outage");
        var exit = await agent.StopAsync(TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, $"vs-agent exited with {exit} after SIGTERM\n{rig.Diagnostics()}");

        // Oldest first. The fragments not yet acknowledged when the server went away are the oldest in the spool, so
        // the one hole in the recording starts where the last stored fragment before the cut ends, and everything
        // after the hole is contiguous up to now. (Dropping the newest instead would keep the start of the outage and
        // open the hole later.) How much of the outage survives depends on how soon the uploader reconnects: the
        // spool goes on dropping its oldest until then.
        var listed = await StoredStream.ListAsync(rig.Client, device.Name);
        var holes = listed.Zip(listed.Skip(1))
            .Where(p => p.Second.ProducerMs - p.First.EndMs > FragmentMs / 2)
            .Select(p => (From: p.First.EndMs, To: p.Second.ProducerMs))
            .ToList();
        rig.Log($"{listed.Count} fragments stored; holes: " +
            string.Join(", ", holes.Select(h => $"{h.From - outageStartMs} ms .. {h.To - outageStartMs} ms after the cut")));
        var hole = Assert.Single(holes);
        Assert.True(hole.From <= outageStartMs + (FragmentMs / 2),
            $"the hole starts {hole.From - outageStartMs} ms after the cut: footage from the start of the outage was kept and later footage dropped, so the oldest were not the ones dropped");
        Assert.True(hole.To - hole.From > 5 * FragmentMs, $"the hole is only {hole.To - hole.From} ms: the spool did not overflow");
        Assert.True(listed[^1].ProducerMs > resumedAtMs, "nothing captured after the outage was stored");
    }

    private static async Task WaitForAsync(EndToEndRig rig, Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                rig.Log("seen: " + what);
                return;
            }

            await Task.Delay(500);
        }

        Assert.Fail($"timed out waiting for {what}\n{rig.Diagnostics()}");
    }
}
