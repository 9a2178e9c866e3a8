using System.Globalization;
using System.Security.Cryptography;
using VideoStreams.Storage.CrashHost;
using VideoStreams.Storage.Files;
using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Index;
using VideoStreams.Storage.Streams;
using Xunit.Abstractions;

namespace VideoStreams.Storage.Tests.Store;

/// <summary>
/// A real process, the real disk, real kills: the crash host appends fragments of several streams under continuous load
/// and prints each one the store reports PERSISTED; the test SIGKILLs it at random moments, reopens the same data
/// folder each time, and checks everything printed so far. SIGKILL keeps the page cache, so this catches what a
/// process crash can break (half-written records, a commit cut short, numbering) — lost syncs are PowerLossTests' job.
/// </summary>
public sealed class ProcessCrashTests(ITestOutputHelper output)
{
    private const int Cycles = 24;
    private const int Streams = 4;
    private const long ChunkSize = 4L << 20;

    [Fact]
    public async Task Every_printed_fragment_survives_repeated_SIGKILLs_whole_and_in_order_and_numbers_and_nonces_never_repeat()
    {
        var seed = Environment.TickCount;
        output.WriteLine($"random seed {seed} (kill moments)");
        var random = new Random(seed);
        var data = Directory.CreateTempSubdirectory("vs-crash-").FullName;
        var known = new Dictionary<long, Known>(); // every fragment printed or seen so far: it must stay, byte-identical
        long highestNumberSeen = 0;
        var totals = new Totals();
        try
        {
            for (var cycle = 1; cycle <= Cycles; cycle++)
            {
                // Most kills land while appends and commits run; every sixth may land in start-up or in recovery.
                var early = cycle % 6 == 0;
                var run = await CrashHostRun.StartAndKillAsync(data, runSeed: cycle, Streams, ChunkSize,
                    early ? TimeSpan.FromMilliseconds(random.Next(50, 400)) : TimeSpan.FromMilliseconds(random.Next(100, 701)),
                    afterReady: !early);

                if (run.Appended.Count > 0)
                {
                    Assert.True(run.Appended.Min() > highestNumberSeen,
                        $"cycle {cycle}: number {run.Appended.Min()} handed out again (highest seen before: {highestNumberSeen})");
                }

                foreach (var p in run.Persisted)
                {
                    Assert.True(known.TryAdd(p.Number, new Known(p.Stream, p.ProducerMs, p.Sha256, Printed: true)),
                        $"cycle {cycle}: fragment {p.Number} printed twice");
                }

                var check = Reopen(data, known);
                Assert.True(check.Missing.Count == 0,
                    $"cycle {cycle}: {check.Missing.Count} printed (or earlier seen) fragments are missing or differ: {string.Join(", ", check.Missing.Take(20))}");
                highestNumberSeen = Math.Max(highestNumberSeen, Math.Max(run.Appended.DefaultIfEmpty().Max(), check.HighestNumber));
                totals.Add(run, check);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"cycle {cycle,2}: killed {(run.Ready ? "after READY" : "before READY")} +{run.KilledAfter.TotalMilliseconds:0} ms; appended {run.Appended.Count}, printed {run.Persisted.Count}; reopen: {check.Visible} visible ({check.UnprintedWhole} unprinted, whole), recovered {check.Recovery.FragmentsRecovered} in {check.Recovery.ChunksScanned} chunks, torn bytes cut {check.Recovery.TornBytesCut}, open {check.Recovery.Elapsed.TotalMilliseconds:0} ms"));
            }

            // Encryption at rest: every record on disk — acknowledged, recovered or cut short by a kill and left
            // unindexed — is sealed, and no nonce was used twice under one key across all those restarts.
            var records = Encryption.SealedRecords.Scan(data);
            Assert.NotEmpty(records);
            Encryption.SealedRecords.AssertSealedWithUniqueNonces(records);
            output.WriteLine($"{records.Count} sealed records on disk, under {records.Select(r => r.KeyId).Distinct().Count()} data keys, all nonces distinct");
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        output.WriteLine($"{Cycles} kills, {totals.Printed} fragments printed, {totals.Recovered} recovered at open, {totals.TornCycles} cycles with a torn tail cut");
        Assert.True(totals.Printed > Cycles * 10, $"the host printed only {totals.Printed} fragments in {Cycles} runs: the load was not continuous");
        // The kills must have caught the store between writing and committing now and then, or recovery went untested.
        Assert.True(totals.Recovered > 0, "no kill left written-but-uncommitted fragments for recovery to find");
    }

    /// <summary>Reopens the store after a kill and checks every fragment it shows and every fragment it must show.</summary>
    private static Check Reopen(string data, Dictionary<long, Known> known)
    {
        var indexedBefore = CountIndexed(data);
        using var store = FragmentStore.Open(CrashHostSettings.StoreOptions(data, ChunkSize), new PhysicalFileSystem(data));
        var recovery = store.Recovery;
        Assert.Empty(recovery.CorruptChunks); // a kill tears at most the tail; damage in the middle is a bug
        Assert.InRange(recovery.TornBytesCut, 0, 2 * ChunkSize);
        Assert.InRange(recovery.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        Assert.Equal(indexedBefore + recovery.FragmentsRecovered, store.Index.CountFragments());

        var seen = new HashSet<long>();
        var unprintedWhole = 0;
        long highest = 0;
        for (var stream = 0; stream < Streams; stream++)
        {
            var described = store.Streams.Describe(StreamRef.ByName(CrashHostSettings.StreamName(stream)));
            if (!described.IsSuccess)
            {
                continue; // a kill during the first start-up, before the stream was created
            }

            long lastNumber = 0, lastProducerMs = long.MinValue;
            FragmentCursor? cursor = null;
            do
            {
                var page = store.Index.ListByTime(described.Value!.Id, TimestampKind.Producer, long.MinValue / 2, long.MaxValue / 2, 2000, cursor);
                foreach (var entry in page.Fragments)
                {
                    // In order: per stream, numbers increase with producer time.
                    Assert.True(entry.Number > lastNumber && entry.ProducerTimestampMs > lastProducerMs,
                        $"stream {stream}: fragment {entry.Number} at {entry.ProducerTimestampMs} follows {lastNumber} at {lastProducerMs}");
                    (lastNumber, lastProducerMs) = (entry.Number, entry.ProducerTimestampMs);
                    var read = store.Read(entry);
                    Assert.True(read.IsSuccess, $"fragment {entry.Number} is listed but cannot be read: {read.Message}");
                    var media = read.Value!.Media;

                    // Whole: every byte is what the host generated for it (a torn or foreign record fails this).
                    var content = CrashContent.Verify(media);
                    Assert.True(content is { } c && c.Stream == stream && c.ProducerMs == entry.ProducerTimestampMs,
                        $"fragment {entry.Number} of stream {stream} is not a whole fragment the host wrote");
                    var sha = Convert.ToHexString(SHA256.HashData(media));
                    if (known.TryGetValue(entry.Number, out var expected))
                    {
                        Assert.True(expected.Stream == stream && expected.ProducerMs == entry.ProducerTimestampMs && expected.Sha256 == sha,
                            $"fragment {entry.Number} differs from what was printed (or seen before)");
                        unprintedWhole += expected.Printed ? 0 : 1;
                    }
                    else
                    {
                        // Persisted after the host's last print, or written whole and recovered: fine, and it must stay.
                        known[entry.Number] = new Known(stream, entry.ProducerTimestampMs, sha, Printed: false);
                        unprintedWhole++;
                    }

                    seen.Add(entry.Number);
                    highest = Math.Max(highest, entry.Number);
                }

                cursor = page.Next;
            }
            while (cursor is not null);
        }

        Assert.Equal(seen.Count, store.Index.CountFragments());
        var missing = known.Keys.Where(n => !seen.Contains(n)).Order().ToList();
        return new Check(recovery, seen.Count, unprintedWhole, highest, missing);
    }

    private static long CountIndexed(string data)
    {
        if (!File.Exists(Path.Combine(data, "index.db")))
        {
            return 0;
        }

        using var index = new StorageIndex(Path.Combine(data, "index.db"));
        return index.CountFragments();
    }

    private sealed record Known(int Stream, long ProducerMs, string Sha256, bool Printed);

    private sealed record Check(RecoveryReport Recovery, int Visible, int UnprintedWhole, long HighestNumber, List<long> Missing);

    private sealed class Totals
    {
        public long Printed { get; private set; }

        public long Recovered { get; private set; }

        public int TornCycles { get; private set; }

        public void Add(CrashHostRun run, Check check)
        {
            Printed += run.Persisted.Count;
            Recovered += check.Recovery.FragmentsRecovered;
            TornCycles += check.Recovery.TornBytesCut > 0 ? 1 : 0;
        }
    }
}
