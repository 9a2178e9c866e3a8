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
