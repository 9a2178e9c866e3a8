using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Index;

namespace VideoStreams.Storage.Tests.Index;

public sealed class StorageIndexConcurrencyTests
{
    [Fact]
    public void Paging_while_fragments_commit_never_skips_or_repeats()
    {
        using var folder = new TempFolder();
        using var index = new StorageIndex(folder.File("index.db"));
        index.PutStream(FragmentScenario.Stream(1));
        var chunk = new ChunkEntry(1, "c", 0, 0, false);
        var number = 0L;
        FragmentEntry At(long t) => new(++number, 1, t, t, 1_000, 1, 1, 0, 1, FragmentFlags.None);

        // Even seconds first, several fragments sharing some timestamps.
        var initial = Enumerable.Range(0, 100).Select(i => At(i / 3 * 2_000L)).ToArray();
        index.Commit(initial, [chunk]);

        var seen = new List<FragmentEntry>();
        var page = index.ListByTime(1, TimestampKind.Producer, 0, 1_000_000, 10);
        seen.AddRange(page.Fragments);
        var late = new List<FragmentEntry>();
        while (page.Next is { } cursor)
        {
            // Between pages: fragments land before the cursor (must not show up), at the cursor's own timestamp
            // (higher numbers, so after it: must show up), and after it.
            var batch = new[] { At(cursor.TimestampMs - 1_000), At(cursor.TimestampMs), At(cursor.TimestampMs + 1_001) };
            index.Commit(batch, [chunk]);
            late.AddRange(batch.Skip(1));
            page = index.ListByTime(1, TimestampKind.Producer, 0, 1_000_000, 10, cursor);
            seen.AddRange(page.Fragments);
        }

        Assert.Equal(seen.Count, seen.Select(f => f.Number).Distinct().Count());
        Assert.Equal(seen.OrderBy(f => f.ProducerTimestampMs).ThenBy(f => f.Number), seen);
        Assert.All(initial.Concat(late), f => Assert.Contains(f, seen));
    }

    [Fact]
    public async Task Readers_run_concurrently_with_the_commit_thread_and_see_whole_commits()
    {
        using var folder = new TempFolder();
        using var index = new StorageIndex(folder.File("index.db"), new StorageIndexOptions { ReaderPoolSize = 2 });
        index.PutStream(FragmentScenario.Stream(1));
        const int Groups = 150;
        const int PerGroup = 20;
        using var done = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            try
            {
                var number = 0L;
                for (var g = 0; g < Groups; g++)
                {
                    var group = Enumerable.Range(0, PerGroup)
                        .Select(_ => new FragmentEntry(++number, 1, number * 1_000, number * 1_000, 1_000, 1, 1, 0, 1, FragmentFlags.None))
                        .ToArray();
                    index.Commit(group, [new ChunkEntry(1, "c", number, 0, false)]);
                }
            }
            finally
            {
                done.Cancel();
            }
        });

        var readers = Enumerable.Range(0, 4).Select(r => Task.Run(() =>
        {
            var reads = 0;
            while (!done.IsCancellationRequested || reads == 0)
            {
                // A commit is all or nothing: counts, pages and the extent only ever show whole groups.
                var count = index.ListByTime(1, TimestampKind.Server, 0, long.MaxValue, 10_000).Fragments.Count;
                Assert.Equal(0, count % PerGroup);
                if (index.Extent(1, TimestampKind.Producer) is { } extent)
                {
                    Assert.Equal(0, extent.Last.Number % PerGroup);
                }

                Assert.Equal(0, index.CountFragments(1) % PerGroup);
                reads++;
            }

            return reads;
        })).ToArray();

        await writer;
        Assert.All(await Task.WhenAll(readers), reads => Assert.True(reads > 0));
        Assert.Equal(Groups * PerGroup, index.CountFragments(1));
        Assert.Equal([new TimeGap(Groups * PerGroup * 1_000L + 1_000, Groups * PerGroup * 1_000L + 5_000)],
            index.Gaps(1, TimestampKind.Server, 1_000, Groups * PerGroup * 1_000L + 5_000, 50));
    }
}
