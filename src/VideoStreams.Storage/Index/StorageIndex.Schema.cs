using System.Globalization;

namespace VideoStreams.Storage.Index;

public sealed partial class StorageIndex
{
    private const string CreateSchemaSql = """
        CREATE TABLE meta (key TEXT NOT NULL PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE streams (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            arn TEXT NOT NULL UNIQUE,
            device_name TEXT,
            media_type TEXT,
            kms_key_id TEXT NOT NULL,
            retention_hours INTEGER NOT NULL,
            version TEXT NOT NULL,
            creation_ms INTEGER NOT NULL,
            status INTEGER NOT NULL,
            tags TEXT NOT NULL);
        CREATE TABLE chunks (
            id INTEGER PRIMARY KEY,
            log_class TEXT NOT NULL,
            indexed_end INTEGER NOT NULL,
            newest_server_ts INTEGER NOT NULL,
            sealed INTEGER NOT NULL);
        CREATE TABLE fragments (
            number INTEGER PRIMARY KEY,
            stream_id INTEGER NOT NULL REFERENCES streams (id),
            producer_ts INTEGER NOT NULL,
            server_ts INTEGER NOT NULL,
            duration_ms INTEGER NOT NULL,
            size INTEGER NOT NULL,
            chunk_id INTEGER NOT NULL REFERENCES chunks (id),
            file_offset INTEGER NOT NULL,
            record_length INTEGER NOT NULL,
            flags INTEGER NOT NULL);
        -- Time listings read only these indexes: each carries every column of a fragment, so a page of 1,000 is
        -- one range scan with no lookups into the table.
        CREATE INDEX fragments_by_producer ON fragments (stream_id, producer_ts, number,
            server_ts, duration_ms, size, chunk_id, file_offset, record_length, flags);
        CREATE INDEX fragments_by_server ON fragments (stream_id, server_ts, number,
            producer_ts, duration_ms, size, chunk_id, file_offset, record_length, flags);
        CREATE INDEX fragments_by_stream ON fragments (stream_id, number);
        CREATE INDEX fragments_by_chunk ON fragments (chunk_id);
        -- Runs of contiguous coverage per stream and clock (kind 0 producer, 1 server), disjoint and more than
        -- the tolerance apart, merged on commit: extent and gaps over a day read a few runs, not 86,400 rows.
        CREATE TABLE coverage (
            stream_id INTEGER NOT NULL,
            kind INTEGER NOT NULL,
            start_ms INTEGER NOT NULL,
            end_ms INTEGER NOT NULL,
            PRIMARY KEY (stream_id, kind, start_ms)) WITHOUT ROWID;
        """;

    /// <summary>A pragma's value on the writer connection (for tests and diagnostics).</summary>
    internal string? ReadPragma(string pragma)
    {
        lock (_writeLock)
        {
            return Convert.ToString(Writer().Scalar($"PRAGMA {pragma}"), CultureInfo.InvariantCulture);
        }
    }

    internal static void ConfigureDurability(IndexConnection connection)
    {
        // WAL: readers never block the commit thread and the commit thread never blocks readers.
        var mode = Convert.ToString(connection.Scalar("PRAGMA journal_mode = WAL"), CultureInfo.InvariantCulture);
        // synchronous=NORMAL: in WAL mode a commit is not fsynced, only checkpoints are; a power cut can lose the
        // last index transactions but never corrupts the database. That is safe here because the log files are
        // the source of truth: a fragment is PERSISTED once its record is synced in its log file, and recovery
        // re-indexes every record past each chunk's IndexedEnd. A lost index transaction costs a re-scan, not data.
        connection.Execute("PRAGMA synchronous = NORMAL");
        connection.Execute("PRAGMA foreign_keys = ON");
        connection.Execute("PRAGMA journal_size_limit = 67108864");

        // Read every setting back: SQLite ignores a pragma it cannot apply (WAL on a file system without shared
        // memory, for one) instead of failing, and the reasoning above holds only in WAL with NORMAL.
        mode = Convert.ToString(connection.Scalar("PRAGMA journal_mode"), CultureInfo.InvariantCulture) ?? mode;
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new StorageIndexException(
                $"{connection.Connection.DataSource}: SQLite did not switch to WAL mode (journal_mode is '{mode}'). " +
                "The index needs WAL; put the data folder on a local file system.");
        }

        RequirePragma(connection, "synchronous", 1, "NORMAL");
        RequirePragma(connection, "foreign_keys", 1, "ON");
    }

    private static void RequirePragma(IndexConnection connection, string pragma, long expected, string expectedName)
    {
        var actual = Convert.ToInt64(connection.Scalar($"PRAGMA {pragma}"), CultureInfo.InvariantCulture);
        if (actual != expected)
        {
            throw new StorageIndexException(
                $"{connection.Connection.DataSource}: PRAGMA {pragma} reads back {actual}, expected {expected} ({expectedName}).");
        }
    }

    private static void EnsureSchema(IndexConnection connection, StorageIndexOptions options)
    {
        using var tx = connection.Begin(write: true);
        var hasMeta = Convert.ToInt64(
            connection.Scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'"),
            CultureInfo.InvariantCulture) > 0;
        if (!hasMeta)
        {
            var tables = Convert.ToInt64(connection.Scalar("SELECT count(*) FROM sqlite_master"), CultureInfo.InvariantCulture);
            if (tables > 0)
            {
                throw new StorageIndexException(
                    $"{connection.Connection.DataSource} is a SQLite database but not a VideoStreams index (no meta table).");
            }

            connection.Execute(CreateSchemaSql);
            WriteMeta(connection, MetaKeys.SchemaVersion, SchemaVersion);
            WriteMeta(connection, MetaKeys.CoverageToleranceMs, Math.Max(0, options.CoverageToleranceMs));
            tx.Commit();
            return;
        }

        var version = ReadMeta(connection, MetaKeys.SchemaVersion)
            ?? throw new StorageIndexException($"{connection.Connection.DataSource}: the index has no schema version.");
        if (version > SchemaVersion)
        {
            throw new StorageIndexException(
                $"{connection.Connection.DataSource}: the index has schema version {version}, newer than {SchemaVersion} " +
                "which this build understands. Run a newer VideoStreams, or rebuild the index from the data files " +
                "(vs store rebuild-index).");
        }

        if (version < SchemaVersion)
        {
            throw new StorageIndexException(
                $"{connection.Connection.DataSource}: the index has schema version {version}, older than {SchemaVersion}, " +
                "and no migration exists; rebuild the index from the data files (vs store rebuild-index).");
        }

        tx.Commit();
    }

    private static long? ReadMeta(IndexConnection connection, string key) =>
        connection.Command(Statement.GetMeta).Bind("$key", key).ScalarInt64();

    private static void WriteMeta(IndexConnection connection, string key, long value) =>
        connection.Command(Statement.SetMeta).Bind("$key", key).Bind("$value", value).ExecuteNonQuery();

    private static void RaiseMeta(IndexConnection connection, string key, long value) =>
        connection.Command(Statement.RaiseMeta).Bind("$key", key).Bind("$value", value).ExecuteNonQuery();

    /// <summary>Meta keys the index itself maintains.</summary>
    internal static class MetaKeys
    {
        public const string SchemaVersion = "schema_version";
        public const string CoverageToleranceMs = "coverage_tolerance_ms";
        public const string MaxDurationMs = "max_duration_ms";
        public const string MaxFragmentNumber = "max_fragment_number";
        public const string MaxStreamId = "max_stream_id";
    }
}
