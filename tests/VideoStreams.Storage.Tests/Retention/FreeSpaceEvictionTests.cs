using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Log;
using VideoStreams.Storage.Retention;

namespace VideoStreams.Storage.Tests.Retention;

/// <summary>
/// A nearly full disk: below the low watermark the oldest chunks go first, across retention classes, until free space
/// is above the high watermark — each with a warning and a metric — and live ingest keeps working.
/// </summary>
public sealed class FreeSpaceEvictionTests
{
    [Fact]
    public async Task The_oldest_chunks_go_first_across_retention_classes_until_free_space_is_above_the_high_watermark()
    {
        await using var f = new RetentionFixture();
        var daily = f.Stream("daily", retentionHours: 24);
        var monthly = f.Stream("monthly", retentionHours: 720);
        // By the time of their newest fragment: monthly #1, daily #1, monthly #2, daily #2, then the current chunks.
        var written = new List<FragmentEntry>();
        written.AddRange(await f.FillChunks(monthly, 1));
        written.AddRange(await f.FillChunks(daily, 1));
        written.AddRange(await f.FillChunks(monthly, 1));
        written.AddRange(await f.FillChunks(daily, 1));
        var byAge = f.Store.Chunks().Where(c => c.Sealed).OrderBy(c => c.NewestServerTimestampMs).ToList();
        Assert.Equal(["h720", "h24", "h720", "h24"], byAge.Select(c => c.LogClass));

        const long Free = 100_000;
        f.Disk.FreeBytes = Free;
        var service = f.Service(Watermarks(low: Free + 1, high: Free + byAge[0].IndexedEnd + byAge[1].IndexedEnd));
        var report = await service.RunOnceAsync();

        // Exactly the two oldest went, one of each class; the rest of the data is all still readable.
        Assert.Equal((2, byAge[0].IndexedEnd + byAge[1].IndexedEnd), (report.EvictedChunks, report.EvictedBytes));
        Assert.Equal(byAge.Skip(2).Select(c => c.Id).Order(), f.Store.Chunks().Where(c => c.Sealed).Select(c => c.Id).Order());
        Assert.False(f.Disk.Exists(LogLayout.ChunkPath("h720", byAge[0].Id)));
        Assert.False(f.Disk.Exists(LogLayout.ChunkPath("h24", byAge[1].Id)));
        var evicted = new HashSet<long> { byAge[0].Id, byAge[1].Id };
        Assert.All(written, w => Assert.Equal(!evicted.Contains(w.ChunkId), f.Readable(w.Number)));

        var warnings = f.Logs.WithEvent(2203);
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, w.Level));
        Assert.Contains($"evicted chunk {byAge[0].Id} of log h720", warnings[0].Message, StringComparison.Ordinal);
        Assert.Contains($"evicted chunk {byAge[1].Id} of log h24", warnings[1].Message, StringComparison.Ordinal);
        Assert.Equal(2, f.Meters.Total("videostreams.storage.evicted_chunks"));
        Assert.Equal(report.EvictedBytes, f.Meters.Total("videostreams.storage.evicted_bytes"));
        Assert.Equal(f.Disk.FreeBytes, f.Meters.Observe("videostreams.storage.free_bytes"));
        Assert.InRange(f.Disk.FreeBytes, Free + report.EvictedBytes - 1_000, Free + report.EvictedBytes);
    }

    [Fact]
    public async Task Nothing_is_evicted_while_free_space_is_above_the_low_watermark()
    {
        await using var f = new RetentionFixture();
        var cam = f.Stream("cam", retentionHours: 24);
        await f.FillChunks(cam, 2);
        f.Disk.FreeBytes = 150_000;

        var report = await f.Service(Watermarks(low: 150_000, high: 1_000_000)).RunOnceAsync();

        Assert.Equal(0, report.EvictedChunks);
        Assert.Equal(3, f.Store.Chunks().Count);
        Assert.Empty(f.Logs.WithEvent(2203));
    }

    [Fact]
    public async Task When_only_current_chunks_are_left_they_are_sealed_and_evicted_and_ingest_goes_on()
    {
        await using var f = new RetentionFixture();
        var cam = f.Stream("cam", retentionHours: 24);
        var written = new[] { (await f.Persist(cam)).Entry, (await f.Persist(cam)).Entry };
        var current = Assert.Single(f.Store.Chunks());
        Assert.False(current.Sealed);
        f.Disk.FreeBytes = 1_000;

        var report = await f.Service(Watermarks(low: 5_000, high: 1_000 + current.IndexedEnd)).RunOnceAsync();

        Assert.True(report.SealedCurrentChunks);
        Assert.Equal(1, report.EvictedChunks);
        Assert.All(written, w => Assert.False(f.Readable(w.Number)));
        Assert.Empty(f.ChunkFiles("h24"));
        var next = await f.Persist(cam);
        Assert.Equal(next.Media, f.Store.Read(next.Entry.Number).Value!.Media);
    }

    [Fact]
    public async Task A_watermark_that_cannot_be_reached_is_reported_once_everything_is_gone()
    {
        await using var f = new RetentionFixture();
        var cam = f.Stream("cam", retentionHours: 24);
        await f.FillChunks(cam, 1);
        f.Disk.FreeBytes = 1_000;

        var report = await f.Service(Watermarks(low: 1_000_000, high: 2_000_000)).RunOnceAsync();

        Assert.Equal(2, report.EvictedChunks);
        Assert.Empty(f.Store.Chunks());
        var error = Assert.Single(f.Logs.WithEvent(2205));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, error.Level);
    }

    [Fact]
    public async Task The_space_check_starts_a_pass_when_the_disk_runs_low()
    {
        await using var f = new RetentionFixture();
        var cam = f.Stream("cam", retentionHours: 24);
        await f.FillChunks(cam, 2);
        var oldest = f.Store.Chunks()[0];
        var service = f.Service(Watermarks(low: 50_000, high: 50_000) with { Interval = TimeSpan.FromHours(1), SpaceCheckInterval = TimeSpan.FromSeconds(5) });
        service.Start();
        await service.WhenIdle();
        Assert.Equal(3, f.Store.Chunks().Count);

        f.Disk.FreeBytes = 50_000 - 1;
        f.Time.Advance(TimeSpan.FromSeconds(5));
        await service.WhenIdle();

        Assert.Equal(1, f.Meters.Total("videostreams.storage.evicted_chunks"));
        Assert.DoesNotContain(f.Store.Chunks(), c => c.Id == oldest.Id);
    }

    [Fact]
    public async Task A_running_service_makes_room_as_soon_as_an_append_finds_the_disk_full()
    {
        await using var f = new RetentionFixture();
        var cam = f.Stream("cam", retentionHours: 24);
        var written = await f.FillChunks(cam, 2);
        // Timers far apart: only the disk-full signal can start the pass this test waits for.
        var service = f.Service(Watermarks(low: 10_000, high: 20_000) with { Interval = TimeSpan.FromHours(1), SpaceCheckInterval = TimeSpan.FromHours(1) });
        service.Start();
        await service.WhenIdle();
        Assert.Equal(0, f.Meters.Total("videostreams.storage.evicted_chunks"));

        f.Disk.FreeBytes = 100;
        Assert.Equal(StorageError.StorageFull, f.TryAppend(cam, 2_000, out _).Error);
        await service.WhenIdle();

        Assert.True(f.Meters.Total("videostreams.storage.evicted_chunks") >= 1);
        Assert.False(f.Readable(written[0].Number));
        var resumed = await f.Persist(cam);
        Assert.Equal(resumed.Media, f.Store.Read(resumed.Entry.Number).Value!.Media);
    }

    [Fact]
    public void Each_watermark_is_the_larger_of_its_byte_and_percent_forms_and_high_is_never_below_low()
    {
        var options = new RetentionOptions { LowWatermarkBytes = 1L << 30, LowWatermarkPercent = 5, HighWatermarkBytes = 2L << 30, HighWatermarkPercent = 10 };
        const long Terabyte = 1_000_000_000_000;
        const long SmallDisk = 8L << 30;

        Assert.Equal(Terabyte / 20, options.LowWatermark(Terabyte));
        Assert.Equal(Terabyte / 10, options.HighWatermark(Terabyte));
        Assert.Equal(1L << 30, options.LowWatermark(SmallDisk));
        Assert.Equal(2L << 30, options.HighWatermark(SmallDisk));
        Assert.Equal(1L << 30, (options with { HighWatermarkBytes = 0, HighWatermarkPercent = 0 }).HighWatermark(SmallDisk));
        Assert.Throws<ArgumentOutOfRangeException>(() => (options with { LowWatermarkPercent = 150 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (options with { Interval = TimeSpan.Zero }).Validate());
    }

    private static RetentionOptions Watermarks(long low, long high) => RetentionFixture.AgeOnly with
    {
        LowWatermarkBytes = low,
        HighWatermarkBytes = high,
    };
}
