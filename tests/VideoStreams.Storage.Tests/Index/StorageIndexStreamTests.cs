using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Index;
using VideoStreams.Storage.Streams;

namespace VideoStreams.Storage.Tests.Index;

public sealed class StorageIndexStreamTests
{
    [Fact]
    public void Streams_are_found_by_id_name_and_arn_and_replaced_by_id()
    {
        using var folder = new TempFolder();
        using var index = new StorageIndex(folder.File("index.db"));
        var stream = FragmentScenario.Stream(3, ".") with { DeviceName = "cam", MediaType = "video/h264", Status = StreamStatus.Active };
        index.PutStream(stream);
        Assert.Equal(stream.Arn, index.GetStream(3)?.Arn);
        Assert.Equal(3, index.FindStreamByName(".")?.Id);
        Assert.Equal(3, index.FindStreamByArn(stream.Arn)?.Id);
        Assert.Null(index.FindStreamByName(".."));
        Assert.Null(index.FindStreamByArn(stream.Arn + "0"));

        var updated = stream with
        {
            DeviceName = null,
            Version = "v2",
            DataRetentionInHours = 0,
            Status = StreamStatus.Deleting,
            Tags = new Dictionary<string, string> { ["k"] = "v" }
        };
        index.PutStream(updated);
        var read = index.GetStream(3)!;
        Assert.Null(read.DeviceName);
        Assert.Equal("v2", read.Version);
        Assert.Equal(0, read.DataRetentionInHours);
        Assert.Equal(StreamStatus.Deleting, read.Status);
        Assert.Equal("v", read.Tags["k"]);
        Assert.Equal(stream.CreationTime, read.CreationTime);
    }

    [Fact]
    public void Listing_by_prefix_pages_in_name_order_without_skips_or_repeats()
    {
        using var folder = new TempFolder();
        using var index = new StorageIndex(folder.File("index.db"));
        var rng = new Random(11);
        const string Alphabet = "ab-._Z9";
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (names.Count < 300)
        {
            names.Add(new string(Enumerable.Range(0, rng.Next(1, 6)).Select(_ => Alphabet[rng.Next(Alphabet.Length)]).ToArray()));
        }

        var id = 0;
        foreach (var name in names)
        {
            index.PutStream(FragmentScenario.Stream(++id, name));
        }

        foreach (var prefix in new string?[] { null, "a", "ab", "-", ".", "Z9", "zzz" })
        {
            var expected = names.Where(n => prefix is null || n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
            var limit = rng.Next(1, 25);
            var read = new List<string>();
            string? after = null;
            while (true)
            {
                var page = index.ListStreams(prefix, after, limit);
                Assert.True(page.Count <= limit);
                read.AddRange(page.Select(s => s.Name));
                if (page.Count < limit)
                {
                    break;
                }

                after = page[^1].Name;
            }

            Assert.Equal(expected, read);
        }
    }

    [Fact]
    public void Removing_a_stream_removes_its_fragments_and_coverage_only()
    {
        using var folder = new TempFolder();
        using var index = new StorageIndex(folder.File("index.db"));
        index.PutStream(FragmentScenario.Stream(1));
        index.PutStream(FragmentScenario.Stream(2));
        var fragments = Enumerable.Range(1, 20)
            .Select(i => new FragmentEntry(i, 1 + (i % 2), i * 1_000L, i * 1_000L, 1_000, 1, 1, 0, 1, FragmentFlags.None))
            .ToArray();
        index.Commit(fragments, [new ChunkEntry(1, "c", 0, 0, false)]);
        index.RemoveStream(1);
        index.RemoveStream(99);
        Assert.Null(index.GetStream(1));
        Assert.Equal(0, index.CountFragments(1));
        Assert.Equal(10, index.CountFragments(2));
        Assert.Null(index.Extent(1, TimestampKind.Server));
        Assert.All(index.CoverageRuns(), r => Assert.Equal(2, r.StreamId));
        Assert.Equal(2, index.MaxStreamId());
    }
}
