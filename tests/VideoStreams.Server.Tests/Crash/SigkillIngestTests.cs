using System.Diagnostics;
using Xunit.Abstractions;

namespace VideoStreams.Server.Tests.Crash;

/// <summary>
/// Issue 6: "SIGKILL of the server mid-ingest, restart: every fragment acked PERSISTED is listed and reads back
/// byte-identical. A resend after reconnect creates no duplicates." The real server runs as its own process on a
/// data folder that outlives it; a camera streams a live MKV and reads the acks as they arrive; the test SIGKILLs the
/// server while acks flow, restarts it on the same folder, checks what a client sees over HTTP, and lets the camera
/// reconnect and resend everything from the start — three times, then once to the end.
/// </summary>
public sealed class SigkillIngestTests(ITestOutputHelper output)
{
    private const string Stream = "crash-cam";
    private const int Kills = 3;
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
        // Producer timestamp → fragment number of every fragment the server acked PERSISTED or listed after a restart:
        // each must stay, with that number, through every later kill and resend.
        var known = new Dictionary<long, string>();
        var ackedPersisted = new HashSet<long>();
        try
        {
            for (var round = 1; round <= Kills; round++)
            {
                await using var server = await ServerProcess.StartAsync(data);
                using var client = server.CreateClient();
                var listed = 0;
                if (round == 1)
                {
                    await client.CreateStreamAsync(Stream, retentionHours: 1);
                }
                else
                {
                    listed = (await CheckStoredAsync(client, source, known, ackedPersisted, $"restart after kill {round - 1}")).Count;
                }

                // Kill once this upload has seen a few PERSISTED acks beyond the resent ones, sometimes at once,
                // sometimes a little later, so the kill lands in different phases of reading, appending and committing.
                var target = listed + random.Next(4, 13);
                var delayMs = random.Next(0, 3) == 0 ? 0 : random.Next(1, 40);
                var persistedSeen = 0;
                var upload = await LiveUpload.RunAsync(server.BaseUrl, Stream, source, Pace, ack =>
                {
                    if (ack.EventType == "PERSISTED" && ++persistedSeen == target)
                    {
                        KillSoon(server, delayMs);
                    }
                });

                Assert.False(upload.Completed, $"round {round}: the upload ended before the kill (target {target} PERSISTED acks): {upload}");
                await server.WaitForExitAsync();
                var resent = CheckAcks(upload, source, known, ackedPersisted, round);
                output.WriteLine($"round {round}: killed {delayMs} ms after PERSISTED ack {target}; this upload saw {upload.OfType("PERSISTED").Count()} "
                    + $"PERSISTED ({resent} resends of known fragments, same numbers), {upload.OfType("RECEIVED").Count()} RECEIVED; {upload.Failure}");
            }

            await using (var server = await ServerProcess.StartAsync(data))
            {
                using var client = server.CreateClient();
                var before = await CheckStoredAsync(client, source, known, ackedPersisted, $"restart after kill {Kills}");
                var upload = await LiveUpload.RunAsync(server.BaseUrl, Stream, source, Pace, _ => { });

                Assert.True(upload.Completed, $"the last upload was cut off: {upload}");
                var resent = CheckAcks(upload, source, known, ackedPersisted, Kills + 1);
                Assert.Equal(before.Count, resent);
                Assert.Equal(
                    source.Clusters.Select(c => c.Timecode),
                    upload.OfType("PERSISTED").Select(a => a.Timecode!.Value).Order());
                var after = await CheckStoredAsync(client, source, known, ackedPersisted, "after the full resend");
                Assert.Equal(source.Clusters.Count, after.Count);
                Assert.Equal(source.Clusters.Count, after.Select(f => f.Number).Distinct().Count());
                output.WriteLine($"full resend: {resent} fragments acked with their old numbers, {after.Count - before.Count} new; "
                    + $"{after.Count} listed, each producer timestamp once; {clock.Elapsed.TotalSeconds:0.0} s in all");
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

    private static void KillSoon(ServerProcess server, int delayMs)
    {
        if (delayMs == 0)
        {
            server.Kill();
            return;
        }

        _ = Task.Run(async () =>
        {
            await Task.Delay(delayMs);
            server.Kill();
        });
    }

    /// <summary>
    /// The acks of one upload: no errors; a fragment the server already had is acked with its old number (RECEIVED
    /// and PERSISTED), and every one of those older than the last PERSISTED ack of this upload was acked; the new
    /// PERSISTED acks join <paramref name="known"/>. Returns how many known fragments this upload resent.
    /// </summary>
    private static int CheckAcks(UploadResult upload, LiveSource source, Dictionary<long, string> known, HashSet<long> ackedPersisted, int round)
    {
        Assert.True(!upload.OfType("ERROR").Any(), $"round {round}: ERROR acks: {upload}");
        var timecodes = source.Clusters.Select(c => c.Timecode).ToHashSet();
        var numbers = new Dictionary<long, string>();
        foreach (var ack in upload.Acks.Where(a => a.EventType is "RECEIVED" or "PERSISTED"))
        {
            var timecode = ack.Timecode!.Value;
            Assert.True(timecodes.Contains(timecode), $"round {round}: ack for a timecode never sent: {ack.Raw}");
            var producerMs = LiveUpload.StartMs + timecode;
            if (known.TryGetValue(producerMs, out var number))
            {
                Assert.True(number == ack.FragmentNumber, $"round {round}: fragment at {timecode} is {number}, but was acked as {ack.Raw}");
            }

            Assert.True(numbers.TryAdd(timecode, ack.FragmentNumber!) || numbers[timecode] == ack.FragmentNumber,
                $"round {round}: RECEIVED and PERSISTED disagree for timecode {timecode}: {upload}");
        }

        var persisted = upload.OfType("PERSISTED").ToList();
        var lastPersisted = persisted.Count == 0 ? long.MinValue : persisted.Max(a => a.Timecode!.Value);
        var persistedTimecodes = persisted.Select(a => a.Timecode!.Value).ToHashSet();
        var resent = known.Keys.Count(ms => ms - LiveUpload.StartMs <= lastPersisted);
        var notAcked = known.Keys.Where(ms => ms - LiveUpload.StartMs <= lastPersisted && !persistedTimecodes.Contains(ms - LiveUpload.StartMs)).ToList();
        Assert.True(notAcked.Count == 0, $"round {round}: resent fragments the server had were not acked PERSISTED: {string.Join(", ", notAcked)}\n{upload}");

        foreach (var ack in persisted)
        {
            var producerMs = LiveUpload.StartMs + ack.Timecode!.Value;
            known.TryAdd(producerMs, ack.FragmentNumber!);
            ackedPersisted.Add(producerMs);
        }

        return resent;
    }

    /// <summary>
    /// What a client sees after a restart: every known fragment (acked PERSISTED or listed before) is listed with its
    /// number and producer timestamp; no producer timestamp twice; every listed fragment — acked or not — reads back
    /// through GetMediaForFragmentList as exactly the cluster the camera sent for that timestamp (nothing torn).
    /// </summary>
    private async Task<List<ListedFragment>> CheckStoredAsync(HttpClient client, LiveSource source, Dictionary<long, string> known,
        HashSet<long> ackedPersisted, string when)
    {
        var listed = await StoredFragments.ListAsync(client, Stream, LiveUpload.StartMs);
        var twice = listed.GroupBy(f => f.ProducerMs).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(f => f.Number))}").ToList();
        Assert.True(twice.Count == 0, $"{when}: producer timestamps listed more than once: {string.Join("; ", twice)}");

        var byProducerMs = listed.ToDictionary(f => f.ProducerMs);
        var missing = known.Where(k => !byProducerMs.TryGetValue(k.Key, out var f) || f.Number != k.Value)
            .Select(k => $"{k.Key} (fragment {k.Value}{(ackedPersisted.Contains(k.Key) ? ", acked PERSISTED" : "")})").ToList();
        Assert.True(missing.Count == 0, $"{when}: {missing.Count} fragments are gone or renumbered: {string.Join(", ", missing)}");

        var clusters = source.Clusters.ToDictionary(c => LiveUpload.StartMs + c.Timecode);
        foreach (var f in listed)
        {
            Assert.True(clusters.TryGetValue(f.ProducerMs, out var c), $"{when}: fragment {f.Number} has a producer timestamp never sent: {f.ProducerMs}");
            Assert.True(c.Length == f.Size, $"{when}: fragment {f.Number} at {f.ProducerMs} is {f.Size} bytes; the camera sent {c.Length}");
        }

        if (listed.Count > 0)
        {
            var read = await StoredFragments.ReadAsync(client, Stream, [.. listed.Select(f => f.Number)]);
            Assert.Equal(listed.Count, read.Count);
            for (var i = 0; i < listed.Count; i++)
            {
                var (f, chunk) = (listed[i], read[i]);
                Assert.True(chunk.ErrorCode is null, $"{when}: fragment {f.Number} reads back as error {chunk.ErrorCode}");
                Assert.Equal(f.Number, chunk.Number);
                Assert.Equal(StoredFragments.TagSeconds(f.ProducerMs), chunk.ProducerTimestamp);
                Assert.True(chunk.Cluster is not null && source.Cluster(clusters[f.ProducerMs]).Span.SequenceEqual(chunk.Cluster),
                    $"{when}: fragment {f.Number} at {f.ProducerMs} does not read back byte-identical ({chunk.Cluster?.Length} bytes read)");
            }
        }

        var acked = listed.Count(f => ackedPersisted.Contains(f.ProducerMs));
        output.WriteLine($"{when}: {listed.Count} listed and read back byte-identical ({acked} acked PERSISTED, {listed.Count - acked} not acked but whole)");
        foreach (var f in listed)
        {
            known.TryAdd(f.ProducerMs, f.Number);
        }

        return listed;
    }
}
