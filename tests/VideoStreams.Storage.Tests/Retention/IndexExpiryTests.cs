using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Index;
using VideoStreams.Storage.Tests.Index;

namespace VideoStreams.Storage.Tests.Retention;

/// <summary>
/// The index side of retention: removing a stream's fragments older than a time keeps every answer (coverage runs,
/// extents, gaps, counts) equal to the brute-force model's, and finds the chunks nothing points at any more.
/// </summary>
public sealed class IndexExpiryTests
{
    private static readonly long[] Streams = [1, 2, 3];

    [Theory]
    [InlineData(11, 50)]
    [InlineData(12, 0)]
    [InlineData(13, 1_000)]
    public void Removing_a_streams_older_fragments_keeps_every_answer_right(int seed, long tolerance)
    {
        using var folder = new TempFolder();
        using var index = new StorageIndex(folder.File("index.db"), new StorageIndexOptions { CoverageToleranceMs = tolerance });
        var scenario = new FragmentScenario(seed);
        var model = new FragmentModel();
        foreach (var id in Streams)
        {
            index.PutStream(FragmentScenario.Stream(id));
        }

        // Ingest, then late arrivals anywhere: server times are not in number order, and runs merge and split.
        Commit(index, scenario, model, Enumerable.Range(0, 360).Select(_ => scenario.Next(Streams[scenario.Random.Next(Streams.Length)])));
        Commit(index, scenario, model, Streams.SelectMany(id =>
        {
            var mine = model.Of(id).ToList();
            return Enumerable.Range(0, 30).Select(_ => scenario.Backfill(id,
                mine.Min(f => f.ProducerTimestampMs), mine.Max(f => f.ProducerTimestampMs),
                mine.Min(f => f.ServerTimestampMs), mine.Max(f => f.ServerTimestampMs)));
        }).ToList());

        foreach (var (stream, quantile) in new[] { (1L, 0.25), (1L, 0.6), (2L, 0.5), (3L, 1.01), (2L, 0.5) })
        {
            var times = model.Of(stream).Select(f => f.ServerTimestampMs).Order().ToList();
            var cutoff = quantile > 1 ? long.MaxValue : times[(int)(times.Count * quantile)];
            var expected = model.Fragments.RemoveAll(f => f.StreamId == stream && f.ServerTimestampMs < cutoff);

            Assert.Equal(expected, index.RemoveFragmentsBefore(stream, cutoff));
            Verify(index, model, $"stream {stream} before its {quantile:P0} server time");
        }
    }

    [Fact]
    public void A_removal_larger_than_one_batch_removes_all_it_should()
    {
        using var folder = new TempFolder();
        using var index = new StorageIndex(folder.File("index.db"));
        index.PutStream(FragmentScenario.Stream(1));
        index.PutStream(FragmentScenario.Stream(2));
        var model = new FragmentModel();
        var scenario = new FragmentScenario(21);
        Commit(index, scenario, model, Enumerable.Range(0, 9_500).Select(i => scenario.Next(i % 10 == 0 ? 2 : 1)));
        var cutoff = model.Of(1).Select(f => f.ServerTimestampMs).Order().ElementAt(8_200);
        var expected = model.Fragments.RemoveAll(f => f.StreamId == 1 && f.ServerTimestampMs < cutoff);

        Assert.Equal(expected, index.RemoveFragmentsBefore(1, cutoff));
        Verify(index, model, "after a removal of several batches");
    }

    [Fact]
    public void Chunks_without_fragments_are_those_no_row_points_at_any_more()
    {
        using var folder = new TempFolder();
        using var index = new StorageIndex(folder.File("index.db"));
        index.PutStream(FragmentScenario.Stream(1));
        var fragment = new FragmentEntry(10, 1, 1_000, 1_000, 1_000, 100, 1, 64, 200, FragmentFlags.None);
        index.Commit(
            [fragment, fragment with { Number = 11, ServerTimestampMs = 5_000, ChunkId = 3 }],
            [new ChunkEntry(1, "h1", 264, 1_000, true), new ChunkEntry(2, "h1", 64, 0, true), new ChunkEntry(3, "h1", 264, 5_000, false)]);

        Assert.Equal([2L], index.ChunksWithoutFragments().Select(c => c.Id));

        index.RemoveFragmentsBefore(1, 2_000);
        Assert.Equal([1L, 2L], index.ChunksWithoutFragments().Select(c => c.Id));
    }

    private static void Commit(StorageIndex index, FragmentScenario scenario, FragmentModel model, IEnumerable<FragmentEntry> fragments)
    {
        foreach (var group in fragments.Chunk(200))
        {
            var chunks = group.Select(f => f.ChunkId).Distinct().Select(scenario.Chunk).ToArray();
            Assert.Equal(group.Length, index.Commit(group, chunks));
            model.Fragments.AddRange(group);
        }
    }

    private static void Verify(StorageIndex index, FragmentModel model, string stage)
    {
        Assert.True(model.Runs(index.CoverageToleranceMs).SequenceEqual(index.CoverageRuns()), $"{stage}: coverage runs differ from the model");
        foreach (var stream in Streams)
        {
            Assert.Equal(model.Of(stream).Count(), index.CountFragments(stream));
            foreach (var kind in Enum.GetValues<TimestampKind>())
            {
                Assert.Equal(model.Extent(stream, kind), index.Extent(stream, kind));
                // The model's gaps walk every millisecond: only over short ranges.
                if (model.Extent(stream, kind) is { } extent && FragmentModel.Start(extent.Last, kind) - FragmentModel.Start(extent.First, kind) < 2_000_000)
                {
                    var from = FragmentModel.Start(extent.First, kind) - 2_000;
                    var to = FragmentModel.Start(extent.Last, kind) + 5_000;
                    foreach (var minGap in new long[] { 0, 60, 1_500 })
                    {
                        Assert.Equal(model.Gaps(stream, kind, from, to, minGap), index.Gaps(stream, kind, from, to, minGap));
                    }
                }
            }
        }
    }
}
