using VideoStreams.Storage.Format;
using VideoStreams.Storage.Tests.Files;
using VideoStreams.Storage.Tests.Retention;
using static VideoStreams.Storage.Tests.Store.StoreHarness;

namespace VideoStreams.Storage.Tests.Store;

/// <summary>
/// A full disk and a failing disk, through the simulated file layer: the append (or the commit) that meets the fault
/// fails with a typed error, nothing of it is kept, everything acknowledged before survives a power cut intact, and
/// the store takes appends again once the fault is gone — or once retention has made room.
/// </summary>
public sealed class DiskFaultTests
{
    [Fact]
    public async Task A_full_disk_fails_the_append_with_StorageFull_keeps_nothing_of_it_and_appends_resume_when_space_returns()
    {
        var files = new SimulatedFileSystem();
        using var harness = new StoreHarness(files);
        var random = new Random(1);
        var store = harness.Open();
        var stream = CreateStream(store, "cam");
        var acknowledged = new Dictionary<long, string>();
        for (var i = 0; i < 5; i++)
        {
            await Acknowledge(store, stream, Fragment(random, i * 1000L), acknowledged);
        }

        var before = Snapshot(files);
        files.FreeBytes = 500;
        var full = store.Append(stream, Fragment(random, 5_000));

        Assert.Equal(StorageError.StorageFull, full.Error);
        Assert.Equal(before, Snapshot(files));

        files.FreeBytes = 1L << 40;
        await Acknowledge(store, stream, Fragment(random, 6_000), acknowledged);

        // The power goes: the next process finds every acknowledged fragment, byte for byte, and nothing else.
        store.AbandonForTests();
        harness.Files = files.PowerCut();
        using var reopened = harness.Open();
        AssertExactly(reopened, stream, acknowledged);
    }

    [Fact]
    public async Task An_IO_error_during_a_commit_fails_that_batch_with_IOError_and_later_commits_succeed()
    {
        var files = new SimulatedFileSystem();
        // Commits happen only when asked, so the batch is exactly what the test appends.
        using var harness = new StoreHarness(files, o => o with { CommitInterval = TimeSpan.FromMinutes(5) });
        var random = new Random(2);
        var acknowledged = new Dictionary<long, string>();
        long stream;
        using (var store = harness.Open())
        {
            stream = CreateStream(store, "cam");
            await CommitOne(store, stream, Fragment(random, 0), acknowledged);

            var failing = Enumerable.Range(1, 3).Select(i => store.Append(stream, Fragment(random, i * 1000L)).Value!).ToList();
            files.FailIO = true;
            await store.CommitAsync();
            files.FailIO = false;

            Assert.All(failing, a => Assert.Equal(StorageError.IOError, a.Persisted.Result.Error));
            Assert.All(failing, a => Assert.Equal(StorageError.ResourceNotFound, store.Read(a.Entry.Number).Error));

            await CommitOne(store, stream, Fragment(random, 4_000), acknowledged);
            await CommitOne(store, stream, Fragment(random, 5_000), acknowledged);

            AssertExactly(store, stream, acknowledged);
        }

        using var reopened = harness.Open();
        AssertExactly(reopened, stream, acknowledged);
    }

    [Fact]
    public async Task An_IO_error_on_append_fails_that_append_only()
    {
        var files = new SimulatedFileSystem();
        using var harness = new StoreHarness(files);
        var random = new Random(3);
        using var store = harness.Open();
        var stream = CreateStream(store, "cam");
        var acknowledged = new Dictionary<long, string>();
        await Acknowledge(store, stream, Fragment(random, 0), acknowledged);

        files.FailIO = true;
        var failed = store.Append(stream, Fragment(random, 1_000));
        files.FailIO = false;

        Assert.Equal(StorageError.IOError, failed.Error);
        await Acknowledge(store, stream, Fragment(random, 2_000), acknowledged);
        AssertExactly(store, stream, acknowledged);
    }

    [Theory]
    [InlineData(10)] // not even the new chunk's header fits
    [InlineData(ChunkHeader.Size + 100)] // the header fits, the record does not
    public async Task A_full_disk_when_a_chunk_rolls_over_fails_the_append_and_the_log_carries_on(long freeBytes)
    {
        const int ChunkSize = 16 << 10;
        const int MediaSize = 2_000;
        var files = new SimulatedFileSystem();
        using var harness = new StoreHarness(files, o => o with { ChunkSize = ChunkSize });
        var random = new Random(4);
        var store = harness.Open();
        var stream = CreateStream(store, "cam");
        var acknowledged = new Dictionary<long, string>();
        var fitting = (ChunkSize - ChunkHeader.Size) / FragmentRecord.RecordLength(0, MediaSize);
        for (var i = 0; i < fitting; i++)
        {
            await Acknowledge(store, stream, Fragment(random, i * 1000L, MediaSize), acknowledged);
        }

        Assert.Single(store.Chunks());
        files.FreeBytes = freeBytes;

        Assert.Equal(StorageError.StorageFull, store.Append(stream, Fragment(random, 50_000, MediaSize)).Error);

        files.FreeBytes = 1L << 40;
        await Acknowledge(store, stream, Fragment(random, 60_000, MediaSize), acknowledged);
        await Acknowledge(store, stream, Fragment(random, 61_000, MediaSize), acknowledged);
        Assert.Equal(2, store.Chunks().Count);

        store.AbandonForTests();
        harness.Files = files.PowerCut();
        using var reopened = harness.Open();
        AssertExactly(reopened, stream, acknowledged);
    }

    [Fact]
    public async Task When_the_disk_fills_with_expired_data_retention_makes_room_and_ingest_resumes()
    {
        await using var f = new RetentionFixture();
        var cam = f.Stream("cam", retentionHours: 1);
        await f.FillChunks(cam, sealedChunks: 3);
        var service = f.Service();
        f.Time.Advance(TimeSpan.FromHours(2));
        f.Disk.FreeBytes = 100;

        Assert.Equal(StorageError.StorageFull, f.TryAppend(cam, 2_000, out _).Error);
        await service.Poke();

        Assert.Empty(f.Store.Chunks());
        Assert.Empty(f.ChunkFiles("h1"));
        Assert.True(f.Disk.FreeBytes > 3 * 14_000, $"only {f.Disk.FreeBytes} bytes free after retention");
        var resumed = await f.Persist(cam);
        Assert.Equal(resumed.Media, f.Store.Read(resumed.Entry.Number).Value!.Media);
    }

    [Fact]
    public async Task When_the_disk_fills_with_data_still_in_retention_the_oldest_is_evicted_and_ingest_resumes()
    {
        await using var f = new RetentionFixture();
        var cam = f.Stream("cam", retentionHours: 24);
        var written = await f.FillChunks(cam, sealedChunks: 3);
        var service = f.Service(RetentionFixture.AgeOnly with { LowWatermarkBytes = 10_000, HighWatermarkBytes = 20_000 });
        f.Disk.FreeBytes = 100;

        Assert.Equal(StorageError.StorageFull, f.TryAppend(cam, 2_000, out _).Error);
        await service.Poke();

        // The oldest chunks made room; the newest data is still there, and live ingest goes on.
        var oldest = written[0];
        Assert.False(f.Readable(oldest.Number));
        Assert.True(f.Readable(written[^1].Number));
        Assert.NotEmpty(f.Logs.WithEvent(2203));
        var resumed = await f.Persist(cam);
        Assert.Equal(resumed.Media, f.Store.Read(resumed.Entry.Number).Value!.Media);
    }

    private static async Task Acknowledge(FragmentStore store, long stream, NewFragment fragment, Dictionary<long, string> acknowledged)
    {
        var appended = store.Append(stream, fragment);
        Assert.True(appended.IsSuccess, appended.Message);
        var persisted = await appended.Value!.Persisted;
        Assert.True(persisted.IsSuccess, persisted.Message);
        acknowledged[persisted.Value.Number] = Hash(fragment.Media.Span);
    }

    private static async Task CommitOne(FragmentStore store, long stream, NewFragment fragment, Dictionary<long, string> acknowledged)
    {
        var appended = store.Append(stream, fragment).Value!;
        await store.CommitAsync();
        var persisted = await appended.Persisted;
        Assert.True(persisted.IsSuccess, persisted.Message);
        acknowledged[persisted.Value.Number] = Hash(fragment.Media.Span);
    }

    /// <summary>The store shows exactly these fragments of the stream, each byte-identical.</summary>
    private static void AssertExactly(FragmentStore store, long stream, Dictionary<long, string> acknowledged)
    {
        var listed = store.Index.ListByTime(stream, Fragments.TimestampKind.Producer, long.MinValue / 2, long.MaxValue / 2, 1_000).Fragments;
        Assert.Equal(acknowledged.Keys.Order(), listed.Select(e => e.Number).Order());
        Assert.All(listed, e => Assert.Equal(acknowledged[e.Number], Hash(store.Read(e).Value!.Media)));
    }

    private static Dictionary<string, int> Snapshot(SimulatedFileSystem files) =>
        files.AllFiles().ToDictionary(p => p, p => files.ReadAllBytes(p).Length);
}
