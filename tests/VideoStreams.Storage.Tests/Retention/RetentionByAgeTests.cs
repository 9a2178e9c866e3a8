using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Log;
using VideoStreams.Storage.Streams;

namespace VideoStreams.Storage.Tests.Retention;

/// <summary>Retention by age on a moved clock: what expires becomes unreadable, and files go once all in them has.</summary>
public sealed class RetentionByAgeTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    [Fact]
    public async Task A_chunk_is_deleted_once_every_fragment_in_it_is_past_its_streams_retention()
    {
        await using var f = new RetentionFixture();
        var cam = f.Stream("cam", retentionHours: 1);
        var written = await f.FillChunks(cam, sealedChunks: 2);
        var service = f.Service();
        var chunks = f.Store.Chunks();
        var (first, second) = (chunks[0], chunks[1]);

        var early = await service.RunOnceAsync();
        Assert.Equal((0, 0L), (early.ExpiredChunks, early.ExpiredFragments));
        Assert.All(written, w => Assert.True(f.Readable(w.Number)));

        // Just past an hour after the first chunk's newest fragment: that chunk has expired whole, the second not.
        f.Time.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(first.NewestServerTimestampMs) + Hour + TimeSpan.FromMilliseconds(1));
        var report = await service.RunOnceAsync();

        Assert.Equal(1, report.ExpiredChunks);
        Assert.Equal(first.IndexedEnd, report.ExpiredBytes);
        Assert.DoesNotContain(LogLayout.ChunkPath("h1", first.Id), f.ChunkFiles("h1"));
        Assert.Contains(LogLayout.ChunkPath("h1", second.Id), f.ChunkFiles("h1"));
        Assert.All(written.Where(w => w.ChunkId == first.Id), w => Assert.Equal(StorageError.ResourceNotFound, f.Store.Read(w.Number).Error));
        Assert.All(written.Where(w => w.ChunkId != first.Id), w => Assert.True(f.Readable(w.Number)));

        var line = Assert.Single(f.Logs.WithEvent(2201));
        Assert.Contains($"Chunk {first.Id} of log h1 expired", line.Message, StringComparison.Ordinal);
        Assert.Equal(1, f.Meters.Total("videostreams.storage.expired_chunks"));
        Assert.Equal(first.IndexedEnd, f.Meters.Total("videostreams.storage.expired_bytes"));
    }

    [Fact]
    public async Task Fragments_are_unreadable_as_soon_as_they_expire_while_their_chunk_stays_until_all_have()
    {
        await using var f = new RetentionFixture();
        var cam = f.Stream("cam", retentionHours: 1);
        var written = await f.FillChunks(cam, sealedChunks: 1);
        var service = f.Service();
        var sealedChunk = f.Store.Chunks()[0];
        var inChunk = written.Where(w => w.ChunkId == sealedChunk.Id).ToList();

        f.Time.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(inChunk[1].ServerTimestampMs) + Hour);
        var report = await service.RunOnceAsync();

        // The cutoff (now - 1 h) falls on the second fragment: only the first is older, and only it went.
        Assert.Equal(1, report.ExpiredFragments);
        Assert.False(f.Readable(inChunk[0].Number));
        Assert.All(inChunk.Skip(1), w => Assert.True(f.Readable(w.Number)));
        Assert.Equal(0, report.ExpiredChunks);
        Assert.Contains(LogLayout.ChunkPath("h1", sealedChunk.Id), f.ChunkFiles("h1"));
        Assert.Equal(inChunk[1].Number, f.Store.Index.Extent(cam, TimestampKind.Server)!.Value.First.Number);
    }

    [Fact]
    public async Task A_log_nobody_appends_to_any_more_has_its_last_chunk_sealed_and_deleted()
    {
        await using var f = new RetentionFixture();
        var cam = f.Stream("stopped", retentionHours: 1);
        var written = new[] { (await f.Persist(cam)).Entry, (await f.Persist(cam)).Entry };
        var service = f.Service();
        Assert.Single(f.ChunkFiles("h1"));

        f.Time.Advance(2 * Hour);
        var report = await service.RunOnceAsync();

        Assert.True(report.SealedCurrentChunks);
        Assert.Equal(1, report.ExpiredChunks);
        Assert.Empty(f.ChunkFiles("h1"));
        Assert.All(written, w => Assert.False(f.Readable(w.Number)));

        // The stream starts again: a new chunk takes its fragments.
        var again = await f.Persist(cam);
        Assert.Equal(again.Media, f.Store.Read(again.Entry.Number).Value!.Media);
        Assert.Single(f.ChunkFiles("h1"));
    }

    [Fact]
    public async Task After_an_increase_existing_data_is_kept_for_the_new_period()
    {
        await using var f = new RetentionFixture();
        var cam = f.Stream("cam", retentionHours: 1);
        var written = (await f.Persist(cam)).Entry;
        var service = f.Service();
        var increased = f.Store.Streams.UpdateDataRetention(StreamRef.ByName("cam"), f.Describe("cam").Version, DataRetentionOperation.IncreaseDataRetention, 2);
        Assert.True(increased.IsSuccess, increased.Message);

        // Its chunk belongs to the 1-hour log, but the stream keeps 3 hours now.
        f.Time.Advance(2 * Hour);
        await service.RunOnceAsync();
        Assert.True(f.Readable(written.Number));
        Assert.Single(f.ChunkFiles("h1"));

        f.Time.Advance(Hour + TimeSpan.FromSeconds(1));
        await service.RunOnceAsync();
        Assert.False(f.Readable(written.Number));
        Assert.Empty(f.ChunkFiles("h1"));
    }

    [Fact]
    public async Task A_decrease_makes_older_fragments_unreadable_at_once_and_their_bytes_go_with_their_chunks()
    {
        await using var f = new RetentionFixture();
        var cam = f.Stream("cam", retentionHours: 48);
        var other = f.Stream("other", retentionHours: 48);
        var oldCam = (await f.Persist(cam)).Entry;
        var oldOther = (await f.Persist(other)).Entry;
        f.Time.Advance(2 * Hour);
        var newCam = (await f.Persist(cam)).Entry;
        var newOther = (await f.Persist(other)).Entry;

        var decreased = f.Store.Streams.UpdateDataRetention(StreamRef.ByName("cam"), f.Describe("cam").Version, DataRetentionOperation.DecreaseDataRetention, 47);

        // No retention pass has run: the decrease itself removed what is older than the new hour.
        Assert.True(decreased.IsSuccess, decreased.Message);
        Assert.Equal(StorageError.ResourceNotFound, f.Store.Read(oldCam.Number).Error);
        Assert.True(f.Readable(newCam.Number));
        Assert.True(f.Readable(oldOther.Number));
        Assert.True(f.Readable(newOther.Number));
        Assert.Equal((newCam.Number, newCam.Number), ExtentNumbers(f, cam));
        Assert.Contains("1 older fragments removed", Assert.Single(f.Logs.WithEvent(2207)).Message, StringComparison.Ordinal);
        Assert.Single(f.ChunkFiles("h48"));

        // From now on the stream writes to the 1-hour log; the old chunk goes when the other stream's data expires.
        var after = (await f.Persist(cam)).Entry;
        Assert.Single(f.ChunkFiles("h1"));
        var service = f.Service();
        f.Time.Advance(TimeSpan.FromHours(47));
        await service.RunOnceAsync();
        Assert.False(f.Readable(after.Number));
        Assert.True(f.Readable(newOther.Number));
        Assert.Single(f.ChunkFiles("h48"));

        f.Time.Advance(Hour + TimeSpan.FromMinutes(1));
        await service.RunOnceAsync();
        Assert.Empty(f.ChunkFiles("h48"));
        Assert.Empty(f.ChunkFiles("h1"));
    }

    [Fact]
    public async Task A_decrease_to_zero_removes_everything_and_nothing_more_is_kept()
    {
        await using var f = new RetentionFixture();
        var cam = f.Stream("cam", retentionHours: 24);
        var written = new[] { (await f.Persist(cam)).Entry, (await f.Persist(cam)).Entry };

        var decreased = f.Store.Streams.UpdateDataRetention(StreamRef.ByName("cam"), f.Describe("cam").Version, DataRetentionOperation.DecreaseDataRetention, 24);

        Assert.True(decreased.IsSuccess, decreased.Message);
        Assert.All(written, w => Assert.False(f.Readable(w.Number)));
        Assert.Equal(StorageError.NoDataRetention, f.TryAppend(cam, 100, out _).Error);
        await f.Service().RunOnceAsync();
        Assert.Empty(f.ChunkFiles("h24"));
    }

    [Fact]
    public async Task A_deleted_streams_fragments_are_unreadable_and_its_chunks_are_reclaimed()
    {
        await using var f = new RetentionFixture();
        var gone = f.Stream("gone", retentionHours: 24);
        var kept = f.Stream("kept", retentionHours: 24);
        var onlyGone = await f.FillChunks(gone, sealedChunks: 1);
        var shared = await f.FillChunks(kept, sealedChunks: 1);
        var chunks = f.Store.Chunks();
        Assert.Equal(3, chunks.Count);

        var deleted = f.Store.Streams.Delete(f.Describe("gone").Arn);

        Assert.True(deleted.IsSuccess, deleted.Message);
        Assert.All(onlyGone, w => Assert.Equal(StorageError.ResourceNotFound, f.Store.Read(w.Number).Error));

        // The chunk that held only its data goes at the next pass; the one it shares with a live stream stays...
        var service = f.Service();
        var report = await service.RunOnceAsync();
        Assert.Equal(1, report.ExpiredChunks);
        Assert.Equal([chunks[1].Id, chunks[2].Id], f.Store.Chunks().Select(c => c.Id));
        Assert.All(shared, w => Assert.True(f.Readable(w.Number)));

        // ...until that stream's data expires too.
        f.Time.Advance(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));
        await service.RunOnceAsync();
        Assert.Empty(f.Store.Chunks());
        Assert.Empty(f.ChunkFiles("h24"));
    }

    [Fact]
    public async Task Expired_fragments_brought_back_by_an_index_rebuild_are_removed_again()
    {
        await using var f = new RetentionFixture();
        var cam = f.Stream("cam", retentionHours: 48);
        var other = f.Stream("other", retentionHours: 48);
        var old = (await f.Persist(cam)).Entry;
        await f.Persist(other);
        f.Time.Advance(2 * Hour);
        var recent = (await f.Persist(cam)).Entry;
        Assert.True(f.Store.Streams.UpdateDataRetention(StreamRef.ByName("cam"), f.Describe("cam").Version, DataRetentionOperation.DecreaseDataRetention, 47).IsSuccess);
        Assert.False(f.Readable(old.Number));

        // The index is lost; the logs still hold the record, and rebuilding indexes it again.
        f.CrashAndReopen(loseIndex: true);
        Assert.True(f.Readable(old.Number));

        var report = await f.Service().RunOnceAsync();

        Assert.Equal(1, report.ExpiredFragments);
        Assert.False(f.Readable(old.Number));
        Assert.True(f.Readable(recent.Number));
    }

    [Fact]
    public async Task The_service_runs_by_itself_on_its_timer()
    {
        await using var f = new RetentionFixture();
        var cam = f.Stream("cam", retentionHours: 1);
        var written = await f.FillChunks(cam, sealedChunks: 2);
        var service = f.Service(RetentionFixture.AgeOnly with { Interval = TimeSpan.FromMinutes(10), SpaceCheckInterval = TimeSpan.FromMinutes(10) });
        service.Start();
        await service.WhenIdle();
        Assert.All(written, w => Assert.True(f.Readable(w.Number)));

        f.Time.Advance(2 * Hour);
        await service.WhenIdle();

        Assert.All(written, w => Assert.False(f.Readable(w.Number)));
        Assert.Empty(f.ChunkFiles("h1"));
    }

    private static (long First, long Last) ExtentNumbers(RetentionFixture f, long stream)
    {
        var extent = f.Store.Index.Extent(stream, TimestampKind.Server)!.Value;
        return (extent.First.Number, extent.Last.Number);
    }
}
