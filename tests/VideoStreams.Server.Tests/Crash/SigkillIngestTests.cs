using System.Diagnostics;
using Xunit.Abstractions;

namespace VideoStreams.Server.Tests.Crash;

/// <summary>
/// Issue 6: "SIGKILL of the server mid-ingest, restart: every fragment acked PERSISTED is listed and reads back
/// byte-identical. A resend after reconnect creates no duplicates." The real server runs as its own process on a
/// data folder that outlives it; a camera streams a live MKV and reads the acks as they arrive; the test SIGKILLs the
/// server while acks flow, restarts it on the same folder, checks what a client sees over HTTP, and lets the camera
/// reconnect and resend everything from the start — four times, each killing in another phase, then once to the end.
/// </summary>
public sealed class SigkillIngestTests(ITestOutputHelper output)
{
    private const string Stream = "crash-cam";
    private const int Kills = 4;
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(10);

    [Fact]
    public async Task Fragments_acked_PERSISTED_survive_SIGKILLs_mid_ingest_byte_identical_and_resends_after_restart_reuse_their_numbers_and_store_each_once()
    {
        var source = LiveSource.Instance;
        var seed = Environment.TickCount;
        output.WriteLine($"random seed {seed} (kill points); {source.Clusters.Count} clusters, {source.Bytes.Length} bytes");
        var random = new Random(seed);
        var data = Directory.CreateTempSubdirectory("vs-server-crash-").FullName;
        var clock = Stopwatch.StartNew();
        var ledger = new FragmentLedger(source, Stream);
        try
        {
            for (var round = 1; round <= Kills; round++)
            {
                var roundClock = Stopwatch.StartNew();
                await using var server = await ServerProcess.StartAsync(data);
                var started = roundClock.Elapsed;
                using var client = server.CreateClient();
                var listed = 0;
                if (round == 1)
                {
                    await client.CreateStreamAsync(Stream, retentionHours: 1);
                }
                else
                {
                    var (stored, summary) = await ledger.CheckStoredAsync(client, $"restart after kill {round - 1}");
                    output.WriteLine(summary);
                    listed = stored.Count;
                }

                // Each round kills in another phase: after a new fragment is PERSISTED; in the middle of the resent
                // fragments' acks; between a new fragment's append (RECEIVED) and its commit; in the middle of a
                // cluster (BUFFERING).
                var point = round switch
                {
                    1 => new KillPoint("PERSISTED", NewOnly: true, random.Next(3, 9)),
                    2 => new KillPoint("PERSISTED", NewOnly: false, Math.Max(1, listed / 2)),
                    3 => new KillPoint("RECEIVED", NewOnly: true, random.Next(2, 7)),
                    _ => new KillPoint("BUFFERING", NewOnly: true, random.Next(2, 7)),
                };
                // Right at that ack or a few acks later (of any kind), so the kill lands anywhere in reading,
                // appending and committing what follows. Counted in acks, not milliseconds: a loaded machine is slow.
                var later = random.Next(0, 4);
                var knownBefore = ledger.Known;
                var seen = 0;
                var afterTrigger = -1;
                var upload = await LiveUpload.RunAsync(server.BaseUrl, Stream, source, Pace, ack =>
                {
                    if (afterTrigger >= 0 && ++afterTrigger == later)
                    {
                        server.Kill();
                    }

                    if (afterTrigger < 0 && ack.EventType == point.EventType
                        && (!point.NewOnly || !knownBefore.Contains(LiveUpload.StartMs + ack.Timecode!.Value))
                        && ++seen == point.Count)
                    {
                        afterTrigger = 0;
                        if (later == 0)
                        {
                            server.Kill();
                        }
                    }
                });

                Assert.False(upload.Completed, $"round {round}: the upload ended before the kill ({point}): {upload}");
                await server.WaitForExitAsync();
                AssertNoServerFailures(server, $"round {round}");
                var resent = ledger.CheckUpload(upload, $"round {round}");
                output.WriteLine($"round {round} (server up in {started.TotalSeconds:0.0} s): killed {later} acks after {point}; the upload saw "
                    + $"{upload.OfType("PERSISTED").Count()} PERSISTED ({resent} of them resends, same numbers), {upload.OfType("RECEIVED").Count()} RECEIVED, "
                    + $"{upload.OfType("BUFFERING").Count()} BUFFERING; {roundClock.Elapsed.TotalSeconds:0.0} s");
            }

            await using (var server = await ServerProcess.StartAsync(data))
            {
                using var client = server.CreateClient();
                var (before, summary) = await ledger.CheckStoredAsync(client, $"restart after kill {Kills}");
                output.WriteLine(summary);
                var upload = await LiveUpload.RunAsync(server.BaseUrl, Stream, source, Pace, _ => { });

                Assert.True(upload.Completed, $"the last upload was cut off: {upload}");
                var resent = ledger.CheckUpload(upload, "the full resend");
                Assert.Equal(before.Count, resent);
                Assert.Equal(
                    source.Clusters.Select(c => c.Timecode),
                    upload.OfType("PERSISTED").Select(a => a.Timecode!.Value).Order());
                (var after, summary) = await ledger.CheckStoredAsync(client, "after the full resend");
                output.WriteLine(summary);
                Assert.Equal(source.Clusters.Count, after.Count);
                Assert.Equal(source.Clusters.Count, after.Select(f => f.Number).Distinct().Count());
                output.WriteLine($"full resend: {resent} fragments acked with their old numbers, {after.Count - before.Count} new; "
                    + $"{after.Count} listed, each producer timestamp once; {clock.Elapsed.TotalSeconds:0.0} s in all");
                AssertNoServerFailures(server, "full resend");
            }
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temporary folder is not worth failing a test run for.
            }
        }
    }

    /// <summary>Kill when the upload has read the <paramref name="Count"/>th ack of that type (of new fragments only, or any).</summary>
    private sealed record KillPoint(string EventType, bool NewOnly, int Count)
    {
        public override string ToString() => $"{EventType} ack {Count}{(NewOnly ? " of a new fragment" : "")}";
    }

    /// <summary>
    /// Recovery and ingest must not have logged errors; the store's opening report (fragments recovered, torn bytes
    /// cut) and warnings other than the demo key's go to the output.
    /// </summary>
    private void AssertNoServerFailures(ServerProcess server, string when)
    {
        var notes = server.LogEntries("info").Where(e => e.Contains("[1001]", StringComparison.Ordinal))
            .Concat(server.LogEntries("warn").Where(e => !e.Contains("[2301]", StringComparison.Ordinal)));
        foreach (var note in notes)
        {
            output.WriteLine($"{when}: server log: {note}");
        }

        var failures = server.LogEntries("fail").Concat(server.LogEntries("crit")).ToList();
        Assert.True(failures.Count == 0, $"{when}: the server logged errors:\n{string.Join("\n", failures)}");
    }
}
