using VideoStreams.Agent.Tests.Faults;
using VideoStreams.Producer;
using VideoStreams.Producer.Spool;
using Xunit.Abstractions;

namespace VideoStreams.Agent.Tests.EndToEnd;

/// <summary>
/// Issue 7, acceptance, the network and the processes failing under a live camera: a TCP proxy between vs-agent and
/// the server cuts the connection five times and stalls it once; the server is SIGKILLed and restarted; the agent is
/// SIGKILLed and restarted. Afterwards every fragment the agent spooled is stored exactly once and in order, and the
/// only hole in the recording is the agent's own downtime (plus the fragment it was building when it died).
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection("EndToEnd")] // one at a time: each runs a server, an agent and ffmpeg on a 2-core machine
public sealed class FaultTests(ITestOutputHelper output)
{
    private const int FrameRate = 15;
    private const int FragmentMs = 1000;
    private const double FrameMs = 1000.0 / FrameRate;

    // Consecutive fragments touch: the server's fragment length runs to the next frame (last block + one interval).
    // One frame interval plus a little absorbs capture jitter on a loaded machine.
    private const double GapToleranceMs = FrameMs + 50;

    [Fact]
    public async Task Through_cuts_a_stall_and_kills_of_the_server_and_the_agent_every_spooled_fragment_is_stored_once_in_order()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("VS_E2E_SEED"), out var s) ? s : 20261126;
        var random = new Random(seed);
        var schedule = FaultSchedule.Create(random);
        output.WriteLine($"seed {seed} (set VS_E2E_SEED to replay another); schedule:\n{string.Join("\n", schedule.Select(step => "  " + step))}");

        await using var rig = await EndToEndRig.StartAsync(output);
        await using var proxy = new TcpFaultProxy(rig.Server.BaseUrl);
        var device = new DeviceFile
        {
            Name = "faults-" + Guid.NewGuid().ToString("N")[..8],
            ServerUrl = proxy.BaseUrl,
            Source = DeviceFile.Synthetic(320, 240, FrameRate),
            BitrateKbps = 300,
            FragmentDurationMs = FragmentMs,
            StallTimeoutSeconds = 3,
        };
        var agent = rig.StartAgent(device);
        await agent.WaitUntilStreamingAsync(device.Name);
        rig.Log($"streaming through the proxy {proxy.BaseUrl} to {rig.Server.BaseUrl}");

        long agentKilledAtMs = 0, agentRestartedAtMs = 0;
        foreach (var step in schedule)
        {
            switch (step.Kind)
            {
                case FaultKind.Run:
                    rig.Log($"run normally for {step.Seconds:F1} s");
                    await Task.Delay(step.Duration);
                    break;
                case FaultKind.Cut:
                    proxy.Cut(Timeout.InfiniteTimeSpan);
                    rig.Log($"proxy: cut for {step.Seconds:F1} s");
                    await Task.Delay(step.Duration);
                    proxy.Resume();
                    rig.Log("proxy: forwarding again");
                    break;
                case FaultKind.Stall:
                    proxy.Stall();
                    rig.Log($"proxy: stalled (open, silent) for {step.Seconds:F1} s");
                    await Task.Delay(step.Duration);
                    proxy.Resume();
                    rig.Log("proxy: forwarding again");
                    break;
                case FaultKind.KillServer:
                    var server = await rig.KillAndRestartServerAsync(step.Duration);
                    proxy.SetTarget(server.BaseUrl);
                    break;
                case FaultKind.KillAgent:
                    agentKilledAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    agent.Kill();
                    await agent.WaitForExitAsync(TimeSpan.FromSeconds(30));
                    rig.Log($"vs-agent SIGKILLed; down for {step.Seconds:F1} s");
                    await Task.Delay(step.Duration);
                    agentRestartedAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    agent = rig.RestartAgent(agent);
                    await agent.WaitUntilStreamingAsync(device.Name);
                    break;
            }
        }

        // Let the spool drain: the agent's pending fragments go to (at most) the one being sent, and the newest
        // stored fragment is live. Then the graceful stop.
        await WaitForDrainAsync(rig, agent, device.Name);
        var exit = await agent.StopAsync(TimeSpan.FromSeconds(60));
        rig.Log($"vs-agent stopped with exit code {exit}");
        Assert.True(exit == 0, $"vs-agent exited with {exit} after SIGTERM\n{rig.Diagnostics()}");

        var listed = await StoredStream.ListAsync(rig.Client, device.Name);
        var leftInSpool = PendingInSpool(Path.Combine(rig.Folder, device.SpoolPath));
        rig.Log($"{listed.Count} fragments listed, {leftInSpool.Count} left in the spool ({string.Join(", ", leftInSpool.Select(f => $"#{f.SequenceNumber}@{f.TimestampMs}"))})");
        Assert.True(listed.Count > 30, $"only {listed.Count} fragments were stored\n{rig.Diagnostics()}");

        // Exactly once: no producer timestamp twice.
        var duplicates = listed.GroupBy(f => f.ProducerMs).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(f => f.Number))}").ToList();
        Assert.True(duplicates.Count == 0, $"fragments stored twice (producer timestamp: numbers): {string.Join("; ", duplicates)}");

        // In order: by producer timestamp, the fragment numbers increase.
        for (var i = 1; i < listed.Count; i++)
        {
            Assert.True(listed[i].NumericNumber > listed[i - 1].NumericNumber, $"fragment {listed[i].Number} (producer {listed[i].ProducerMs}) has a lower number than {listed[i - 1].Number} (producer {listed[i - 1].ProducerMs})");
        }

        // What the graceful stop left in the spool is only the tail the agent had no time to send, never a hole.
        var newestListed = listed[^1].ProducerMs;
        var listedTimes = listed.Select(f => f.ProducerMs).ToHashSet();
        var unsent = leftInSpool.Where(f => !listedTimes.Contains(f.TimestampMs)).ToList();
        Assert.True(unsent.All(f => f.TimestampMs > newestListed), $"fragments older than the newest stored one were never stored: {string.Join(", ", unsent.Where(f => f.TimestampMs <= newestListed).Select(f => $"#{f.SequenceNumber}@{f.TimestampMs}"))}");
        Assert.True(unsent.Count <= 2, $"{unsent.Count} fragments were left unsent in the spool after the drain");

        // The recording has no hole but the agent's downtime: consecutive fragments touch, and the one gap spans the kill.
        var timeline = listed.Select(f => (Start: f.ProducerMs, End: f.EndMs, Name: f.Number))
            .Concat(unsent.Select(f => (Start: f.TimestampMs, End: f.TimestampMs + f.DurationMs, Name: $"spool#{f.SequenceNumber}")))
            .OrderBy(f => f.Start).ToList();
        var gaps = new List<(long From, long To, string Before, string After)>();
        for (var i = 1; i < timeline.Count; i++)
        {
            if (timeline[i].Start - timeline[i - 1].End > GapToleranceMs)
            {
                gaps.Add((timeline[i - 1].End, timeline[i].Start, timeline[i - 1].Name, timeline[i].Name));
            }
        }

        rig.Log($"agent killed at {agentKilledAtMs}, restarted at {agentRestartedAtMs}; gaps: " +
            string.Join("; ", gaps.Select(g => $"{g.From}..{g.To} ({g.To - g.From} ms, after {g.Before})")));
        var describe = string.Join("\n", gaps.Select(g => $"  {g.From}..{g.To} ({g.To - g.From} ms) between {g.Before} and {g.After}"));
        Assert.True(gaps.Count == 1, $"expected one gap (the agent's downtime {agentKilledAtMs}..{agentRestartedAtMs}), found {gaps.Count}:\n{describe}");
        var gap = gaps[0];
        Assert.True(gap.To >= agentRestartedAtMs, $"the gap {gap.From}..{gap.To} ends before the agent was restarted at {agentRestartedAtMs}");
        Assert.True(gap.From <= agentKilledAtMs + GapToleranceMs, $"the gap {gap.From}..{gap.To} starts after the agent was killed at {agentKilledAtMs}");
        Assert.True(
            gap.From >= agentKilledAtMs - FragmentMs - 1000,
            $"the gap starts {agentKilledAtMs - gap.From} ms before the kill at {agentKilledAtMs}: more than the fragment in progress was lost");

        // And what is stored plays: every fragment decodes, resent ones included.
        var stored = Path.Combine(rig.Folder, "stored.mkv");
        await StoredStream.SaveMediaAsync(rig.Client, device.Name, [.. listed.Select(f => f.Number)], stored);
        var fragments = StoredStream.Read(stored);
        Assert.All(fragments, f => Assert.True(f.ErrorCode is null && f.Frames.Count > 0 && f.Frames[0].HasIdr, $"fragment {f.Number}: error {f.ErrorCode}, {f.Frames.Count} frames"));
        Assert.Equal("", await DecodedFrames.FragmentDecodeErrorsAsync(stored));
    }

    private static async Task WaitForDrainAsync(EndToEndRig rig, AgentProcess agent, string stream)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        var calm = 0;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(1000);
            var pending = PrometheusText.Sum(await agent.MetricsAsync(), "spool_pending_fragments");
            var listed = await StoredStream.ListOrEmptyAsync(rig.Client, stream);
            var behindMs = listed.Count == 0 ? long.MaxValue : DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - listed[^1].EndMs;
            var drained = (pending is null || pending <= 1) && behindMs < 3 * FragmentMs;
            calm = drained ? calm + 1 : 0;
            rig.Log($"drain: spool pending {pending?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "n/a"}, newest stored fragment ends {behindMs} ms ago");
            if (calm >= 3)
            {
                return;
            }
        }

        Assert.Fail($"the agent's spool did not drain within 120 s\n{rig.Diagnostics()}");
    }

    /// <summary>The fragments still pending in a spool folder (opened after the agent has exited).</summary>
    private static List<ProducerFragment> PendingInSpool(string folder)
    {
        var pending = new List<ProducerFragment>();
        if (!Directory.Exists(folder))
        {
            return pending;
        }

        using var spool = FragmentSpool.Open(new SpoolOptions { Directory = folder });
        var after = -1L;
        while (spool.TryReadNext(after, out var fragment))
        {
            pending.Add(fragment);
            after = fragment.SequenceNumber;
        }

        return pending;
    }
}
