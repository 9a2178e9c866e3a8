using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Index;

namespace VideoStreams.Storage.Tests.Index;

/// <summary>
/// Every fragment query against a brute-force model over seeded random data, through commits, back-fill, chunk and
/// stream removal, and a reopen.
/// </summary>
public sealed class StorageIndexModelTests
{
    private static readonly long[] Streams = [1, 2, 3];
    private static readonly long[] MinGaps = [0, 1, 10, 49, 50, 51, 200, 999, 5_000];

    [Theory]
    [InlineData(1, 50)]
    [InlineData(2, 50)]
    [InlineData(3, 0)]
    [InlineData(4, 50)]
    [InlineData(5, 1_000)]
    public void Every_query_matches_the_brute_force_model(int seed, long tolerance)
    {
        using var folder = new TempFolder();
        var path = folder.File("index.db");
        var options = new StorageIndexOptions { CoverageToleranceMs = tolerance, ReaderPoolSize = 2 };
        var scenario = new FragmentScenario(seed);
        var model = new FragmentModel();
        var index = new StorageIndex(path, options);
        try
        {
            foreach (var id in Streams)
            {
                index.PutStream(FragmentScenario.Stream(id));
            }

            // In-order ingest, streams interleaved, committed in groups of random size.
            var fresh = Enumerable.Range(0, 450).Select(_ => scenario.Next(Streams[scenario.Random.Next(Streams.Length)])).ToList();
            CommitInGroups(index, scenario, model, fresh);
            Verify(index, model, scenario.Random, "after ingest");

            // Late fragments anywhere inside each stream's span: they merge, split and bridge runs.
            var late = new List<FragmentEntry>();
            foreach (var id in Streams)
            {
                var mine = model.Of(id).ToList();
                for (var i = 0; i < 40; i++)
                {
                    late.Add(scenario.Backfill(id, mine.Min(f => f.ProducerTimestampMs) - 5_000, mine.Max(f => f.ProducerTimestampMs) + 5_000,
                        mine.Min(f => f.ServerTimestampMs) - 5_000, mine.Max(f => f.ServerTimestampMs) + 5_000));
                }
            }

            CommitInGroups(index, scenario, model, late.OrderBy(_ => scenario.Random.Next()).ToList());
            Verify(index, model, scenario.Random, "after back-fill");

            // Retention: whole chunks go, oldest first and one from the middle.
            var chunks = index.Chunks().Select(c => c.Id).ToList();
            foreach (var chunk in new[] { chunks[0], chunks[1], chunks[chunks.Count / 2] })
            {
                var expected = model.Fragments.RemoveAll(f => f.ChunkId == chunk);
                Assert.Equal(expected, index.RemoveChunk(chunk));
                Assert.DoesNotContain(index.Chunks(), c => c.Id == chunk);
            }

            Verify(index, model, scenario.Random, "after chunk removal");

            index.RemoveStream(2);
            model.Fragments.RemoveAll(f => f.StreamId == 2);
            Assert.Null(index.GetStream(2));
            Verify(index, model, scenario.Random, "after stream removal");

            index.Dispose();
            index = new StorageIndex(path, options with { CoverageToleranceMs = tolerance + 7 });
            Assert.Equal(tolerance, index.CoverageToleranceMs);
            Verify(index, model, scenario.Random, "after reopen");

            // Ingest continues after reopen with the same runs.
            CommitInGroups(index, scenario, model, Enumerable.Range(0, 60).Select(_ => scenario.Next(Streams[scenario.Random.Next(2) * 2])).ToList());
            Verify(index, model, scenario.Random, "after more ingest");
        }
        finally
        {
            index.Dispose();
        }
    }

    private static void CommitInGroups(StorageIndex index, FragmentScenario scenario, FragmentModel model, List<FragmentEntry> fragments)
    {
        var i = 0;
        while (i < fragments.Count)
        {
            var group = fragments.Skip(i).Take(scenario.Random.Next(1, 80)).ToArray();
            var chunks = group.Select(f => f.ChunkId).Distinct().Select(scenario.Chunk).ToArray();
            Assert.Equal(group.Length, index.Commit(group, chunks));
            model.Fragments.AddRange(group);
            i += group.Length;
        }
    }

    private static void Verify(StorageIndex index, FragmentModel model, Random rng, string stage)
    {
        Assert.True(
            model.Runs(index.CoverageToleranceMs).SequenceEqual(index.CoverageRuns()),
            $"{stage}: coverage runs differ from the model");
        Assert.Equal(model.Fragments.Count, index.CountFragments());
        Assert.Equal(model.Fragments.Max(f => f.Number), index.MaxFragmentNumber());

        foreach (var stream in Streams)
        {
            Assert.Equal(model.Of(stream).Count(), index.CountFragments(stream));
            VerifyNumbers(index, model, rng, stream);
            foreach (var kind in Enum.GetValues<TimestampKind>())
            {
                Assert.Equal(model.Extent(stream, kind), index.Extent(stream, kind));
                var mine = model.Of(stream).ToList();
                if (mine.Count == 0)
                {
                    Assert.Empty(index.ListByTime(stream, kind, long.MinValue, long.MaxValue, 10).Fragments);
                    Assert.Equal([new TimeGap(FragmentScenario.Epoch, FragmentScenario.Epoch + 10_000)],
                        index.Gaps(stream, kind, FragmentScenario.Epoch, FragmentScenario.Epoch + 10_000, 0));
                    continue;
                }

                var starts = mine.Select(f => FragmentModel.Start(f, kind)).ToList();
                var ends = mine.Select(f => FragmentModel.Start(f, kind) + f.DurationMs).ToList();
                var lo = starts.Min() - 3_000;
                var hi = ends.Max() + 3_000;
                for (var r = 0; r < 8; r++)
                {
                    var from = Pick(rng, starts, ends, lo, hi);
                    var to = r == 0 ? hi : r == 1 ? from : Pick(rng, starts, ends, lo, hi);
                    VerifyRange(index, model, rng, stream, kind, from, to, stage);
                }

                foreach (var t in starts.Concat(ends).Concat(starts.Select(s => s - 1)).Concat(ends.Select(e => e - 1))
                             .OrderBy(_ => rng.Next()).Take(25).Append(lo).Append(hi))
                {
                    Assert.Equal(model.AtTime(stream, kind, t), index.FindAtTime(stream, kind, t));
                }
            }
        }
    }

    private static void VerifyRange(StorageIndex index, FragmentModel model, Random rng, long stream, TimestampKind kind, long from, long to, string stage)
    {
        foreach (var descending in new[] { false, true })
        {
            var limit = rng.Next(1, 40);
            var expected = model.InRange(stream, kind, from, to, descending);
            var pages = ReadAllPages(index, stream, kind, from, to, limit, descending);
            Assert.All(pages.SkipLast(1), p => Assert.Equal(limit, p.Fragments.Count));
            Assert.True(pages[^1].Fragments.Count <= limit);
            Assert.Null(pages[^1].Next);
            Assert.Equal(expected, pages.SelectMany(p => p.Fragments).ToList());
        }

        if (to - from > 2_000_000)
        {
            return;
        }

        var allGaps = model.Gaps(stream, kind, from, to, -1);
        foreach (var minGap in MinGaps)
        {
            var expected = allGaps.Where(g => g.EndMs - g.StartMs > minGap).ToList();
            var actual = index.Gaps(stream, kind, from, to, minGap);
            Assert.True(expected.SequenceEqual(actual),
                $"{stage}: gaps of stream {stream} {kind} in [{from}, {to}] > {minGap}: expected " +
                $"{string.Join(",", expected)} got {string.Join(",", actual)}");
        }
    }

    private static List<FragmentPage> ReadAllPages(StorageIndex index, long stream, TimestampKind kind, long from, long to, int limit, bool descending)
    {
        var pages = new List<FragmentPage>();
        FragmentCursor? cursor = null;
        do
        {
            var page = index.ListByTime(stream, kind, from, to, limit, cursor, descending);
            pages.Add(page);
            cursor = page.Next;
            Assert.True(pages.Count < 10_000, "paging does not end");
        }
        while (cursor is not null);

        return pages;
    }

    private static void VerifyNumbers(StorageIndex index, FragmentModel model, Random rng, long stream)
    {
        var mine = model.Of(stream).OrderBy(f => f.Number).ToList();
        var after = mine.Count == 0 || rng.Next(3) == 0 ? 0 : mine[rng.Next(mine.Count)].Number;
        var limit = rng.Next(1, 50);
        var read = new List<FragmentEntry>();
        while (true)
        {
            var page = index.ListAfterNumber(stream, after, limit);
            Assert.True(page.Fragments.Count <= limit);
            read.AddRange(page.Fragments);
            if (page.Next is not { } next)
            {
                break;
            }

            after = next.Number;
        }

        Assert.Equal(mine.Where(f => f.Number > (read.Count > 0 ? read[0].Number - 1 : long.MaxValue)).ToList(), read);

        var probe = mine.Select(f => f.Number).OrderBy(_ => rng.Next()).Take(5).Append(999_999_999).Append(1).ToArray();
        foreach (var number in probe)
        {
            Assert.Equal(model.Fragments.Where(f => f.Number == number).Cast<FragmentEntry?>().FirstOrDefault(), index.GetFragment(number));
        }

        Assert.Equal(probe.SelectMany(n => model.Fragments.Where(f => f.Number == n)).ToList(), index.GetFragments(probe));
    }

    private static long Pick(Random rng, List<long> starts, List<long> ends, long lo, long hi) => rng.Next(4) switch
    {
        0 => starts[rng.Next(starts.Count)],
        1 => ends[rng.Next(ends.Count)],
        2 => starts[rng.Next(starts.Count)] + rng.Next(-60, 61),
        _ => rng.NextInt64(lo, hi + 1),
    };
}
