using Microsoft.Data.Sqlite;
using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Index;

namespace VideoStreams.Storage.Tests.Index;

public sealed class StorageIndexLifecycleTests
{
    [Fact]
    public void Database_is_in_wal_mode_with_normal_sync_and_foreign_keys()
    {
        using var folder = new TempFolder();
        var path = folder.File("index.db");
        using (var index = new StorageIndex(path))
        {
            Assert.Equal("wal", index.ReadPragma("journal_mode"));
            Assert.Equal("1", index.ReadPragma("synchronous"));
            Assert.Equal("1", index.ReadPragma("foreign_keys"));
        }

        // WAL is a property of the file: another connection sees it too.
        using var raw = new SqliteConnection($"Data Source={path};Pooling=False");
        raw.Open();
        using var command = raw.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", command.ExecuteScalar());
    }

    [Fact]
    public void A_database_that_cannot_use_wal_fails_loudly()
    {
        // An in-memory database reports journal_mode "memory" whatever is asked: the same silent refusal as a file
        // system without shared memory.
        using var connection = new IndexConnection(":memory:", new StorageIndexOptions(), writer: true);
        var error = Assert.Throws<StorageIndexException>(() => StorageIndex.ConfigureDurability(connection));
        Assert.Contains("WAL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_newer_schema_is_refused_with_a_clear_error()
    {
        using var folder = new TempFolder();
        var path = folder.File("index.db");
        using (var index = new StorageIndex(path))
        {
            index.SetMeta("schema_version", StorageIndex.SchemaVersion + 1);
        }

        var error = Assert.Throws<StorageIndexException>(() => new StorageIndex(path));
        Assert.Contains($"schema version {StorageIndex.SchemaVersion + 1}", error.Message, StringComparison.Ordinal);
        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_programs_database_is_refused()
    {
        using var folder = new TempFolder();
        var path = folder.File("other.db");
        using (var raw = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            raw.Open();
            using var command = raw.CreateCommand();
            command.CommandText = "CREATE TABLE something (x INTEGER)";
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<StorageIndexException>(() => new StorageIndex(path));
        Assert.Contains("not a VideoStreams index", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Streams_chunks_fragments_and_meta_persist_across_reopen()
    {
        using var folder = new TempFolder();
        var path = folder.File("index.db");
        var stream = FragmentScenario.Stream(7, "..-x") with { Tags = new Dictionary<string, string> { ["owner"] = "ops", ["é"] = "" } };
        var chunk = new ChunkEntry(3, "c72", 12_345, 1_700_000_000_999, Sealed: true);
        var fragment = new FragmentEntry(42, 7, 1_000, 2_000, 1_000, 5_000, 3, 4_096, 5_100, FragmentFlags.StartsWithKeyframe | FragmentFlags.HasVideo);
        using (var index = new StorageIndex(path))
        {
            index.PutStream(stream);
            Assert.Equal(1, index.Commit([fragment], [chunk], [new("next_fragment", 43)]));
        }

        using (var index = new StorageIndex(path))
        {
            AssertSameStream(stream, index.GetStream(7));
            Assert.Equal([chunk], index.Chunks());
            Assert.Equal(12_345, index.IndexedEnd(3));
            Assert.Equal(0, index.IndexedEnd(99));
            Assert.Equal(fragment, index.GetFragment(42));
            Assert.Equal(43, index.GetMeta("next_fragment"));
            Assert.Null(index.GetMeta("never-set"));
        }
    }

    [Fact]
    public void Commit_skips_fragments_already_indexed_and_fragments_of_removed_streams()
    {
        using var folder = new TempFolder();
        using var index = new StorageIndex(folder.File("index.db"));
        index.PutStream(FragmentScenario.Stream(1));
        var chunk = new ChunkEntry(1, "c", 100, 0, false);
        var a = new FragmentEntry(10, 1, 0, 0, 1_000, 1, 1, 0, 1, FragmentFlags.None);
        Assert.Equal(1, index.Commit([a], [chunk]));

        // Recovery may hand over a record twice; a stream may be deleted while its group commits.
        var again = a with { Size = 999 };
        var orphan = a with { Number = 11, StreamId = 2 };
        var b = a with { Number = 12, ProducerTimestampMs = 1_000, ServerTimestampMs = 1_000 };
        Assert.Equal(1, index.Commit([again, orphan, b], [chunk with { IndexedEnd = 300 }]));
        Assert.Equal(a, index.GetFragment(10));
        Assert.Null(index.GetFragment(11));
        Assert.Equal(b, index.GetFragment(12));
        Assert.Equal(300, index.IndexedEnd(1));
        Assert.Equal([new TimeGap(2_000, 5_000)], index.Gaps(1, TimestampKind.Producer, 0, 5_000, 0));
    }

    [Fact]
    public void A_failed_commit_leaves_nothing_behind()
    {
        using var folder = new TempFolder();
        using var index = new StorageIndex(folder.File("index.db"));
        index.PutStream(FragmentScenario.Stream(1));
        var good = new FragmentEntry(1, 1, 0, 0, 1_000, 1, 1, 0, 1, FragmentFlags.None);
        var unknownChunk = good with { Number = 2, ChunkId = 77 };

        Assert.Throws<SqliteException>(() => index.Commit([good, unknownChunk], [new ChunkEntry(1, "c", 10, 0, false)]));
        Assert.Equal(0, index.CountFragments());
        Assert.Empty(index.Chunks());
        Assert.Empty(index.CoverageRuns());
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Commit([good with { DurationMs = -1 }], [new ChunkEntry(1, "c", 10, 0, false)]));
        Assert.Equal(0, index.CountFragments());

        // The writer is usable again.
        Assert.Equal(1, index.Commit([good], [new ChunkEntry(1, "c", 10, 0, false)]));
    }

    [Fact]
    public void High_water_marks_never_go_back_when_rows_are_removed()
    {
        using var folder = new TempFolder();
        var path = folder.File("index.db");
        using (var index = new StorageIndex(path))
        {
            Assert.Null(index.MaxFragmentNumber());
            Assert.Equal(0, index.MaxStreamId());
            index.PutStream(FragmentScenario.Stream(1));
            index.PutStream(FragmentScenario.Stream(5));
            index.Commit([new FragmentEntry(900, 5, 0, 0, 1, 1, 2, 0, 1, FragmentFlags.None)], [new ChunkEntry(2, "c", 1, 0, false)]);
            index.Commit([new FragmentEntry(100, 1, 0, 0, 1, 1, 1, 0, 1, FragmentFlags.None)], [new ChunkEntry(1, "c", 1, 0, false)]);
            Assert.Equal(1, index.RemoveChunk(2));
            index.RemoveStream(5);
            Assert.Equal(900, index.MaxFragmentNumber());
            Assert.Equal(5, index.MaxStreamId());
        }

        using (var index = new StorageIndex(path))
        {
            Assert.Equal(900, index.MaxFragmentNumber());
            Assert.Equal(5, index.MaxStreamId());
        }
    }

    [Fact]
    public void Time_queries_read_only_the_covering_indexes()
    {
        using var folder = new TempFolder();
        using var index = new StorageIndex(folder.File("index.db"));
        using var raw = new SqliteConnection($"Data Source={index.DatabasePath};Pooling=False");
        raw.Open();
        foreach (var (statement, expected) in new[]
                 {
                     (Statement.PageAscProducer, "COVERING INDEX fragments_by_producer"),
                     (Statement.PageDescServer, "COVERING INDEX fragments_by_server"),
                     (Statement.ContainingServer, "COVERING INDEX fragments_by_server"),
                     (Statement.IntervalsProducer, "COVERING INDEX fragments_by_producer"),
                     (Statement.CoverageInRange, "PRIMARY KEY"),
                 })
        {
            using var command = raw.CreateCommand();
            command.CommandText = "EXPLAIN QUERY PLAN " + Statements.Text(statement);
            using var reader = command.ExecuteReader();
            var plan = new List<string>();
            while (reader.Read())
            {
                plan.Add(reader.GetString(3));
            }

            Assert.Contains(plan, line => line.Contains(expected, StringComparison.Ordinal));
            Assert.DoesNotContain(plan, line => line.Contains("TEMP B-TREE", StringComparison.Ordinal));
            Assert.DoesNotContain(plan, line => line.StartsWith("SCAN", StringComparison.Ordinal) && !line.Contains("INDEX", StringComparison.Ordinal));
        }
    }

    private static void AssertSameStream(Storage.Streams.StreamRecord expected, Storage.Streams.StreamRecord? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected with { Tags = actual.Tags }, actual);
        Assert.Equal(expected.Tags.OrderBy(t => t.Key), actual.Tags.OrderBy(t => t.Key));
    }
}
