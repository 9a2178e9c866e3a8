using System.Globalization;
using System.Text.RegularExpressions;
using VideoStreams.Server.Tests;

namespace VideoStreams.Agent.Tests.Agent;

/// <summary>
/// A stop request (SIGTERM/SIGINT in the process; the token in-process) stops the source, puts the fragment in
/// progress into the spool, and exits 0. The uploader here sends nothing, so the spool shows everything captured.
/// </summary>
public sealed partial class GracefulStopTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task A_stop_spools_the_fragment_in_progress_and_exits_0()
    {
        var file = _folder.Device("cam.json", server.BaseUrl, "graceful");
        await using var run = AgentRun.Start(await FakeSources.HooksAsync(), file);
        await run.WaitForOutputAsync("Device graceful: uploading to");
        // At least one whole fragment (1 s) and part of the next.
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        Assert.Equal(0, await run.StopAsync());

        var flushed = FlushedLine().Match(run.Stdout);
        Assert.True(flushed.Success, run.Stdout);
        var sequence = long.Parse(flushed.Groups["seq"].Value, CultureInfo.InvariantCulture);
        var frames = int.Parse(flushed.Groups["frames"].Value, CultureInfo.InvariantCulture);
        var spooled = SpoolContents.Read(Path.Combine(_folder.Path, "spool", "graceful"));
        // Every fragment cut is in the spool, numbered without a gap, the one in progress last.
        Assert.True(spooled.Count >= 2, $"{spooled.Count} fragments spooled");
        Assert.Equal(Enumerable.Range(0, spooled.Count).Select(i => (long)i), spooled.Select(f => f.SequenceNumber));
        var last = spooled[^1];
        Assert.Equal(sequence, last.SequenceNumber);
        Assert.Equal(frames, last.FrameCount);
        Assert.True(last.StartsWithKeyframe);
        // The steps are logged in order.
        var stdout = run.Stdout;
        var order = new[] { "Stop requested", "source stopped", "fragment in progress spooled", "uploader stopped", "spool closed", "vs-agent stopped" }
            .Select(step => stdout.IndexOf(step, StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(-1, order);
        Assert.Equal(order.Order(), order);
        Assert.Empty(run.Stderr);
    }

    [Fact]
    public async Task After_a_restart_numbering_continues_from_the_spool()
    {
        var file = _folder.Device("cam.json", server.BaseUrl, "restarted");
        var hooks = await FakeSources.HooksAsync();
        await using (var first = AgentRun.Start(hooks, file))
        {
            await first.WaitForOutputAsync("Device restarted: uploading to");
            await Task.Delay(TimeSpan.FromSeconds(1.2));
            Assert.Equal(0, await first.StopAsync());
        }

        var before = SpoolContents.Read(Path.Combine(_folder.Path, "spool", "restarted"));
        await using (var second = AgentRun.Start(hooks, file))
        {
            await second.WaitForOutputAsync($"{before.Count} fragments (");
            await second.WaitForOutputAsync("Device restarted: uploading to");
            await Task.Delay(TimeSpan.FromSeconds(1.2));
            Assert.Equal(0, await second.StopAsync());
        }

        var after = SpoolContents.Read(Path.Combine(_folder.Path, "spool", "restarted"));
        Assert.True(after.Count > before.Count);
        Assert.Equal(before.Select(f => f.SequenceNumber), after.Take(before.Count).Select(f => f.SequenceNumber));
        Assert.Equal(Enumerable.Range(0, after.Count).Select(i => (long)i), after.Select(f => f.SequenceNumber));
    }

    public void Dispose() => _folder.Dispose();

    [GeneratedRegex(@"fragment in progress spooled: sequence (?<seq>[0-9]+), timestamp [0-9]+, (?<frames>[0-9]+) frames")]
    private static partial Regex FlushedLine();
}
