using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Index;
using VideoStreams.Storage.Streams;
using VideoStreams.Storage.Tests.Files;
using static VideoStreams.Storage.Tests.Store.StoreHarness;

namespace VideoStreams.Storage.Tests.Store;

public sealed class FragmentStoreTests
{
    [Fact]
    public async Task An_appended_fragment_is_persisted_then_read_back_byte_identical_with_its_tags()
    {
        using var harness = new StoreHarness();
        using var store = harness.Open();
        var stream = CreateStream(store, "front-door");
        var random = new Random(1);
        var fragment = Fragment(random, 1_700_000_000_000, tags: [new("AWS_KINESISVIDEO_PRODUCER_NOTE", "hello"), new("room", "hall")]);

        var appended = store.Append(stream, fragment);
        var persisted = await appended.Value!.Persisted;

        Assert.True(persisted.IsSuccess);
        var read = store.Read(appended.Value.Entry.Number);
        Assert.True(read.IsSuccess);
        Assert.Equal(fragment.Media.ToArray(), read.Value!.Media);
        Assert.Equal(fragment.Tags, read.Value.Tags);
        Assert.Equal((fragment.ProducerTimestampMs, fragment.ServerTimestampMs, fragment.DurationMs, fragment.Flags), (read.Value.Entry.ProducerTimestampMs, read.Value.Entry.ServerTimestampMs, read.Value.Entry.DurationMs, read.Value.Entry.Flags));
    }

    [Fact]
    public async Task Fragments_read_one_after_another_into_one_reused_buffer_are_byte_identical()
    {
        using var harness = new StoreHarness();
        using var store = harness.Open();
        var stream = CreateStream(store, "clip-source");
        var random = new Random(11);
        var entries = new List<FragmentEntry>();
        var media = new List<byte[]>();
        foreach (var (size, i) in new[] { 9000, 1500, 6000, 1 }.Select((size, i) => (size, i)))
        {
            var fragment = Fragment(random, 1_000 * i, size);
            media.Add(fragment.Media.ToArray());
            entries.Add((await store.Append(stream, fragment).Value!.Persisted).Value);
        }

        // Larger first, then smaller: what a shorter fragment leaves of the previous one past its length is not its media.
        var buffer = new byte[entries.Max(e => e.Size)];
        for (var i = 0; i < entries.Count; i++)
        {
            var read = store.ReadMedia(entries[i], buffer);
            Assert.True(read.IsSuccess, read.Message);
            Assert.Equal(media[i].Length, read.Value);
            Assert.Equal(media[i], buffer.AsSpan(0, read.Value).ToArray());
        }

        // A destination too short for the media is the caller's mistake, said as such; nothing is lost.
        var e = Assert.Throws<ArgumentException>(() => store.ReadMedia(entries[0], new byte[entries[0].Size - 1]));
        Assert.Contains("9000 bytes", e.Message, StringComparison.Ordinal);
        Assert.Equal(media[0], store.Read(entries[0].Number).Value!.Media);
    }

    [Fact]
    public async Task A_commit_costs_the_same_syncs_for_a_thousand_streams_as_for_one()
    {
        var files = new SimulatedFileSystem();
        using var harness = new StoreHarness(files, o => o with { CommitInterval = TimeSpan.FromSeconds(30) });
        using var store = harness.Open();
        var streams = Enumerable.Range(0, 1000).Select(i => CreateStream(store, $"camera-{i}")).ToList();
        var random = new Random(2);
        await store.CommitAsync();

        var before = files.Syncs;
        var appended = streams.Select(s => store.Append(s, Fragment(random, 1_000, 500)).Value!).ToList();
        await store.CommitAsync();
        var syncs = files.Syncs - before;

        Assert.All(appended, a => Assert.True(a.Persisted.IsCompletedSuccessfully && a.Persisted.Result.IsSuccess));
        // One log (all streams keep 24 h): its chunk and its directory, not a sync per stream.
        Assert.InRange(syncs, 1, 3);
    }

    [Fact]
    public void Streams_that_keep_nothing_and_unknown_streams_are_refused_and_nothing_is_written()
    {
        var files = new SimulatedFileSystem();
        using var harness = new StoreHarness(files);
        using var store = harness.Open();
        var live = CreateStream(store, "live-only", retentionHours: 0);

        Assert.Equal(StorageError.NoDataRetention, store.Append(live, Fragment(new Random(3), 0)).Error);
        Assert.Equal(StorageError.ResourceNotFound, store.Append(999_999, Fragment(new Random(3), 0)).Error);
        Assert.DoesNotContain(files.AllFiles(), f => f.StartsWith("logs/h", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stream_names_never_reach_the_disk()
    {
        var files = new SimulatedFileSystem();
        using var harness = new StoreHarness(files);
        using var store = harness.Open();
        var random = new Random(4);
        foreach (var name in new[] { ".", "..", "..-x" })
        {
            await store.Append(CreateStream(store, name), Fragment(random, 0)).Value!.Persisted;
        }

        Assert.All(files.AllFiles(), f => Assert.Matches(@"^(logs/(control|h\d+)/\d{12}\.chunk|keys/master\.key)$", f));
    }

    [Fact]
    public async Task Numbers_increase_per_stream_and_continue_past_everything_handed_out_after_a_restart()
    {
        using var harness = new StoreHarness();
        var random = new Random(5);
        long highest;
        long stream;
        using (var store = harness.Open())
        {
            stream = CreateStream(store, "numbers");
            var numbers = new List<long>();
            for (var i = 0; i < 20; i++)
            {
                var a = store.Append(stream, Fragment(random, i * 1000)).Value!;
                numbers.Add(a.Entry.Number);
                await a.Persisted;
            }

            Assert.Equal(numbers.Order(), numbers);
            highest = numbers[^1];
        }

        using (var store = harness.Open())
        {
            var next = store.Append(stream, Fragment(random, 99_000)).Value!;
            Assert.True(next.Entry.Number > highest);
            Assert.True((await next.Persisted).IsSuccess);
            Assert.Equal(21, store.Index.CountFragments(stream));
        }
    }

    [Fact]
    public async Task Fragments_spread_over_many_chunks_read_back_after_reopen()
    {
        using var harness = new StoreHarness(configure: o => o with { ChunkSize = 64 << 10 });
        var random = new Random(6);
        var written = new Dictionary<long, string>();
        long stream;
        using (var store = harness.Open())
        {
            stream = CreateStream(store, "rolling");
            for (var i = 0; i < 120; i++)
            {
                var fragment = Fragment(random, i * 1000, size: random.Next(100, 9000));
                var a = store.Append(stream, fragment).Value!;
                written[a.Entry.Number] = Hash(fragment.Media.Span);
            }

            await store.CommitAsync();
            Assert.True(store.Index.Chunks().Count > 5);
        }

        using (var store = harness.Open())
        {
            foreach (var (number, hash) in written)
            {
                Assert.Equal(hash, Hash(store.Read(number).Value!.Media));
            }
        }
    }

    [Fact]
    public async Task Rebuilding_the_index_from_the_logs_gives_the_same_answers()
    {
        using var harness = new StoreHarness(configure: o => o with { ChunkSize = 128 << 10 });
        var random = new Random(7);
        long a, b;
        FragmentPage before;
        (FragmentEntry, FragmentEntry)? extent;
        using (var store = harness.Open())
        {
            a = CreateStream(store, "a");
            b = CreateStream(store, "b", retentionHours: 720);
            for (var i = 0; i < 200; i++)
            {
                store.Append(i % 3 == 0 ? b : a, Fragment(random, 1_700_000_000_000 + (i * 1000), size: 1500));
            }

            await store.CommitAsync();
            before = store.Index.ListByTime(a, TimestampKind.Producer, 0, long.MaxValue, 1000);
            extent = store.Index.Extent(b, TimestampKind.Server);
        }

        harness.DeleteIndex();
        using (var store = harness.Open())
        {
            Assert.Equal(200, store.Recovery.FragmentsRecovered);
            Assert.Equal(before.Fragments, store.Index.ListByTime(a, TimestampKind.Producer, 0, long.MaxValue, 1000).Fragments);
            Assert.Equal(extent, store.Index.Extent(b, TimestampKind.Server));
            Assert.Equal("a", store.Streams.Describe(StreamRef.ByName("a")).Value!.Name);
        }
    }

    [Fact]
    public async Task A_flipped_bit_in_a_stored_record_is_reported_as_corruption_never_served()
    {
        var files = new SimulatedFileSystem();
        using var harness = new StoreHarness(files);
        var random = new Random(8);
        FragmentEntry entry;
        using (var store = harness.Open())
        {
            var stream = CreateStream(store, "bitrot");
            entry = (await store.Append(stream, Fragment(random, 0, 5000)).Value!.Persisted).Value;
        }

        var path = files.AllFiles().Single(f => f.StartsWith("logs/h24/", StringComparison.Ordinal));
        var bytes = files.ReadAllBytes(path);
        bytes[entry.Offset + entry.Length - 100] ^= 0x10;
        files.WriteAllBytes(path, bytes);

        using var reopened = harness.Open();
        Assert.Throws<CorruptSegmentException>(() => reopened.Read(entry.Number));
        Assert.Throws<CorruptSegmentException>(() => reopened.ReadMedia(entry, new byte[entry.Size]));
    }
}
