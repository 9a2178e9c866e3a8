using VideoStreams.Storage.Tests.Files;
using static VideoStreams.Storage.Tests.Store.StoreHarness;

namespace VideoStreams.Storage.Tests.Store;

/// <summary>
/// A SIGKILL keeps the page cache, so it cannot catch a missing sync. These tests cut the power instead, through the
/// simulated file layer: everything not synced is lost (in one variant the last write is torn), and the store must
/// still hold every fragment it acknowledged, byte for byte, show no torn fragment, and never reuse a number.
/// </summary>
public sealed class PowerLossTests
{
    public static TheoryData<bool, bool> Variants() => new()
    {
        { false, false }, // clean cut, index kept
        { true, false }, // torn last write, index kept
        { false, true }, // clean cut, index lost too (rebuilt from the logs)
        { true, true },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task Every_acknowledged_fragment_survives_a_power_cut(bool tear, bool loseIndex)
    {
        for (var round = 0; round < 12; round++)
        {
            var outcome = await CutPowerOnce(seed: (round * 31) + (tear ? 1 : 0) + (loseIndex ? 2 : 0), tear, loseIndex, skipSync: false);
            Assert.True(outcome.Lost.Count == 0, $"round {round}: acknowledged fragments lost: {string.Join(", ", outcome.Lost)}");
            Assert.True(outcome.Unexpected.Count == 0, $"round {round}: fragments nobody wrote: {string.Join(", ", outcome.Unexpected)}");
            Assert.True(outcome.NumbersContinue, $"round {round}: a fragment number was reused");
        }
    }

    [Fact]
    public async Task A_store_that_skips_its_syncs_fails_the_power_cut_check()
    {
        var lostSomething = false;
        for (var round = 0; round < 5 && !lostSomething; round++)
        {
            var outcome = await CutPowerOnce(seed: 1000 + round, tear: false, loseIndex: true, skipSync: true);
            lostSomething = outcome.Lost.Count > 0;
        }

        Assert.True(lostSomething, "without syncs acknowledged fragments must be lost in a power cut; the check would not notice a missing sync");
    }

    [Fact]
    public async Task A_torn_end_of_a_chunk_rolled_away_from_before_its_commit_is_cut_not_reported()
    {
        // A log rolls without syncing the full chunk (the commit syncs both), so a power cut with the kernel's
        // writeback in any order can tear the end of the chunk before the newest one. Nothing there was acknowledged.
        using var harness = new StoreHarness(configure: o => o with { ChunkSize = 16 << 10, CommitInterval = TimeSpan.FromHours(1) });
        var random = new Random(9);
        var acknowledged = new Dictionary<long, string>();
        var store = harness.Open();
        var cam = CreateStream(store, "cam");
        long firstChunk = 0;
        for (var i = 0; i < 3; i++)
        {
            var fragment = Fragment(random, i * 1000L, size: 3000);
            var appended = store.Append(cam, fragment).Value!;
            await store.CommitAsync();
            var persisted = await appended.Persisted;
            acknowledged[persisted.Value.Number] = Hash(fragment.Media.Span);
            firstChunk = persisted.Value.ChunkId;
        }

        // Not committed: the rest of the chunk, then past the roll into a new one.
        var unacknowledged = new List<AppendedFragment>();
        do
        {
            unacknowledged.Add(store.Append(cam, Fragment(random, (10 + unacknowledged.Count) * 1000L, size: 3000)).Value!);
        }
        while (unacknowledged[^1].Entry.ChunkId == firstChunk);

        unacknowledged.Add(store.Append(cam, Fragment(random, 99_000, size: 3000)).Value!);
        var full = unacknowledged[^3].Entry; // the last record of the full chunk
        Assert.NotEqual(full.ChunkId, unacknowledged[^1].Entry.ChunkId);
        store.AbandonForTests();

        // The power cut tore that record: half of it reached the disk.
        var path = Path.Combine(harness.Folder, Log.LogLayout.ChunkPath("h24", full.ChunkId));
        using (var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
        {
            RandomAccess.SetLength(file, full.Offset + (full.Length / 2));
        }

        using var reopened = harness.Open();
        Assert.Empty(reopened.Recovery.CorruptChunks);
        Assert.Equal(full.Length / 2, reopened.Recovery.TornBytesCut);
        Assert.All(acknowledged, a => Assert.Equal(a.Value, Hash(reopened.Read(a.Key).Value!.Media)));
        Assert.Equal(StorageError.ResourceNotFound, reopened.Read(full.Number).Error);
        var newest = unacknowledged[^1].Entry;
        Assert.True(reopened.Read(newest.Number).IsSuccess, "a whole record after the torn one was lost");
    }

    private sealed record Outcome(List<long> Lost, List<long> Unexpected, bool NumbersContinue);

    private static async Task<Outcome> CutPowerOnce(int seed, bool tear, bool loseIndex, bool skipSync)
    {
        var random = new Random(seed);
        var files = new SimulatedFileSystem();
        using var harness = new StoreHarness(files, o => o with
        {
            ChunkSize = 48 << 10,
            CommitInterval = TimeSpan.FromMilliseconds(1),
            UnsafeSkipSyncForTests = skipSync,
        });
        var acknowledged = new Dictionary<long, string>();
        var written = new Dictionary<long, string>();
        long highestHandedOut = 0;
        var store = harness.Open();
        var streams = Enumerable.Range(0, 4).Select(i => CreateStream(store, $"cam{i}", retentionHours: i % 2 == 0 ? 24 : 48)).ToList();
        var pending = new List<(AppendedFragment Fragment, string Hash)>();
        var appends = random.Next(20, 120);
        for (var i = 0; i < appends; i++)
        {
            var fragment = Fragment(random, i * 1000L, size: random.Next(50, 6000));
            var appended = store.Append(streams[random.Next(streams.Count)], fragment).Value!;
            var hash = Hash(fragment.Media.Span);
            written[appended.Entry.Number] = hash;
            highestHandedOut = Math.Max(highestHandedOut, appended.Entry.Number);
            pending.Add((appended, hash));
            if (random.Next(4) == 0)
            {
                await store.CommitAsync();
            }

            foreach (var (f, h) in pending.Where(p => p.Fragment.Persisted.IsCompleted).ToList())
            {
                if (f.Persisted.Result.IsSuccess)
                {
                    acknowledged[f.Entry.Number] = h;
                }

                pending.RemoveAll(p => p.Fragment == f);
            }
        }

        // The power goes: whatever was not synced is gone, and the old process never runs again. (It is stopped first:
        // its index lives on the real disk, outside the simulated one, and must not take a commit the cut would stop.)
        store.AbandonForTests();
        var survivor = files.PowerCut(tear ? random : null);
        if (loseIndex)
        {
            harness.DeleteIndex();
        }

        harness.Files = survivor;
        using var reopened = OpenAfterCut(harness);
        var lost = new List<long>();
        foreach (var (number, hash) in acknowledged)
        {
            var read = reopened.Read(number);
            if (!read.IsSuccess || Hash(read.Value!.Media) != hash)
            {
                lost.Add(number);
            }
        }

        var unexpected = new List<long>();
        foreach (var stream in streams)
        {
            foreach (var entry in reopened.Index.ListByTime(stream, Fragments.TimestampKind.Producer, long.MinValue / 2, long.MaxValue / 2, 10_000).Fragments)
            {
                // Every fragment the reopened store shows was written whole by someone: no torn fragment is ever visible.
                if (!written.TryGetValue(entry.Number, out var hash) || Hash(reopened.Read(entry).Value!.Media) != hash)
                {
                    unexpected.Add(entry.Number);
                }
            }
        }

        var next = reopened.Append(streams[0], Fragment(random, 999_000)).Value!;
        return new Outcome(lost, unexpected, next.Entry.Number > highestHandedOut);
    }

    private static FragmentStore OpenAfterCut(StoreHarness harness) => harness.Open();
}
