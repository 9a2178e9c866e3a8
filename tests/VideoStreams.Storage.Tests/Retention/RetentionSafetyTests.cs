using VideoStreams.Storage.Log;

namespace VideoStreams.Storage.Tests.Retention;

/// <summary>
/// Retention never deletes bytes under a reader, and a retirement cut short by a crash or a power cut is finished at
/// the next open — with the index kept or lost — instead of bringing the data back.
/// </summary>
public sealed class RetentionSafetyTests
{
    [Fact]
    public async Task A_reader_in_progress_gets_its_bytes_while_retention_deletes_the_chunk_and_the_file_goes_after()
    {
        await using var f = new RetentionFixture();
        var cam = f.Stream("cam", retentionHours: 1);
        await f.FillChunks(cam, sealedChunks: 1);
        var chunk = f.Store.Chunks()[0];
        var path = LogLayout.ChunkPath("h1", chunk.Id);
        var entry = f.Store.Index.ListByTime(cam, Fragments.TimestampKind.Server, 0, long.MaxValue, 1).Fragments[0];
        Assert.Equal(chunk.Id, entry.ChunkId);
        var expected = f.Store.Read(entry).Value!.Media;

        using var gate = new ReadGate(path);
        f.Files.Gate = gate;
        var reader = Task.Run(() => f.Store.Read(entry));
        Assert.True(gate.Entered.Wait(TimeSpan.FromSeconds(10)), "the reader never reached the record");

        f.Time.Advance(TimeSpan.FromHours(2));
        var report = await f.Service().RunOnceAsync();

        // Retired: the index no longer knows it, a new reader gets a clear not-found — but the file waits.
        Assert.Equal(2, report.ExpiredChunks);
        Assert.Equal(StorageError.ResourceNotFound, f.Store.Read(entry.Number).Error);
        Assert.Equal(StorageError.ResourceNotFound, f.Store.Read(entry).Error);
        Assert.True(f.Disk.Exists(path), "the file went while a reader held it");

        gate.Release.Set();
        var read = await reader;

        Assert.True(read.IsSuccess, read.Message);
        Assert.Equal(expected, read.Value!.Media);
        Assert.False(f.Disk.Exists(path), "the file stayed after the last reader let go");
    }

    public static TheoryData<string, bool> Crashes() => new()
    {
        { "before the file is deleted", false },
        { "before the file is deleted", true },
        { "before the deletion is synced", false },
        { "before the deletion is synced", true },
    };

    [Theory]
    [MemberData(nameof(Crashes))]
    public async Task A_retirement_cut_short_by_a_power_cut_is_finished_at_the_next_open(string crash, bool loseIndex)
    {
        await using var f = new RetentionFixture();
        var cam = f.Stream("cam", retentionHours: 1);
        var written = await f.FillChunks(cam, sealedChunks: 1);
        var chunk = f.Store.Chunks()[0];
        var path = LogLayout.ChunkPath("h1", chunk.Id);
        var inChunk = written.Where(w => w.ChunkId == chunk.Id).Select(w => w.Number).ToList();
        if (crash == "before the file is deleted")
        {
            f.Files.FailDelete = p => p == path;
        }
        else
        {
            f.Files.FailSyncDirectory = d => d == "logs/h1";
        }

        f.Time.Advance(TimeSpan.FromHours(2));
        var service = f.Service();
        await service.Poke();
        Assert.Contains(f.Logs.WithEvent(2206), e => e.Message.Contains("simulated crash", StringComparison.Ordinal));
        await service.DisposeAsync();

        // The power goes; whatever was not synced is lost (a deletion not yet synced is undone).
        f.CrashAndReopen(cutPower: true, loseIndex);

        Assert.False(f.Disk.Exists(path), "the half-retired chunk is still there");
        Assert.All(inChunk, n => Assert.False(f.Readable(n), $"fragment {n} came back"));
        Assert.DoesNotContain(f.Store.Chunks(), c => c.Id == chunk.Id);

        // Only what was recorded as retired went: the next chunk (whose turn the crash prevented) is still there.
        Assert.Single(f.ChunkFiles("h1"));
    }
}
