using System.Diagnostics;
using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Index;
using Xunit.Abstractions;

namespace VideoStreams.Storage.Tests.Index;

/// <summary>
/// A quick sanity check that queries stay index-bound at a size where a scan would show. The real targets (10 M rows,
/// p99 ≤ 5 ms) belong to the benchmarks; the bounds here are generous for slow CI machines.
/// </summary>
public sealed class StorageIndexScaleTests(ITestOutputHelper output)
{
    private const int StreamCount = 4;
    private const int PerStream = 50_000;
    private const long Day = 86_400_000;

    [Fact]
    public void Pages_extent_and_gaps_stay_fast_over_200k_fragments()
    {
        using var folder = new TempFolder();
        using var index = new StorageIndex(folder.File("index.db"));
        for (var s = 1; s <= StreamCount; s++)
        {
            index.PutStream(FragmentScenario.Stream(s));
        }

        // One-second fragments, a 10-second hole every 1,000; each group commit holds 250 of every stream, as
        // a busy store's would.
        var group = new FragmentEntry[StreamCount * 250];
        var number = 1L;
        var commits = Stopwatch.StartNew();
        for (var i = 0; i < PerStream; i += 250)
        {
            var n = 0;
            for (var k = i; k < i + 250; k++)
            {
                for (var s = 1; s <= StreamCount; s++)
                {
                    var t = FragmentScenario.Epoch + (k * 1_000L) + (k / 1_000 * 10_000L);
                    group[n++] = new FragmentEntry(number++, s, t, t + 150, 1_000, 250_000, 1 + (k / 5_000), k * 250_000L, 250_100, FragmentFlags.StartsWithKeyframe);
                }
            }

            index.Commit(group, [new ChunkEntry(1 + (i / 5_000), "c24", (i + 250) * 250_000L, 0, false)]);
        }

        output.WriteLine($"commit: {commits.Elapsed.TotalMilliseconds / (StreamCount * PerStream / 1_000.0):F1} ms per 1,000 fragments");
        Assert.Equal(StreamCount * PerStream, index.CountFragments());

        var from = FragmentScenario.Epoch;
        var to = from + (2 * Day);
        Time("first page", () => Assert.Equal(1_000, index.ListByTime(2, TimestampKind.Producer, from, to, 1_000).Fragments.Count));

        // Walk to a deep page and time it: with the cursor folded into the index range it costs what the first does.
        FragmentCursor? cursor = null;
        for (var p = 0; p < 40; p++)
        {
            cursor = index.ListByTime(2, TimestampKind.Server, from, to, 1_000, cursor).Next;
        }

        Time("page 41", () => Assert.Equal(1_000, index.ListByTime(2, TimestampKind.Server, from, to, 1_000, cursor).Fragments.Count));
        Time("descending page", () => Assert.Equal(1_000, index.ListByTime(3, TimestampKind.Producer, from, to, 1_000, descending: true).Fragments.Count));
        Time("extent", () => Assert.NotNull(index.Extent(4, TimestampKind.Server)));
        var gaps = Time("gaps over a day", () => index.Gaps(1, TimestampKind.Producer, from, from + Day, 1_000));
        // 49 ten-second holes between the 50 stretches, then the rest of the day after the last fragment.
        Assert.Equal(PerStream / 1_000, gaps.Count);
        Assert.All(gaps.SkipLast(1), g => Assert.Equal(10_000, g.EndMs - g.StartMs));
        Assert.Equal(from + Day, gaps[^1].EndMs);
        Time("find at time", () => Assert.NotNull(index.FindAtTime(1, TimestampKind.Producer, from + (Day / 2))));
        Assert.True(index.CoverageRuns().Count <= 2 * StreamCount * (PerStream / 1_000), "one run per recording stretch");
    }

    private T Time<T>(string what, Func<T> query)
    {
        query(); // warm the statement and the pages
        var best = TimeSpan.MaxValue;
        var result = default(T)!;
        for (var i = 0; i < 5; i++)
        {
            var watch = Stopwatch.StartNew();
            result = query();
            best = watch.Elapsed < best ? watch.Elapsed : best;
        }

        output.WriteLine($"{what}: {best.TotalMilliseconds:F2} ms");
        Assert.True(best < TimeSpan.FromMilliseconds(50), $"{what} took {best.TotalMilliseconds:F1} ms");
        return result;
    }

    private void Time(string what, Action query) => Time(what, () =>
    {
        query();
        return 0;
    });
}
