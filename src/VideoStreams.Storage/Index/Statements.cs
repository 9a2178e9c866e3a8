using VideoStreams.Storage.Fragments;

namespace VideoStreams.Storage.Index;

/// <summary>The SQL text of each <see cref="Statement"/>, built once at type initialisation.</summary>
internal static class Statements
{
    /// <summary>The columns of a fragment row, in the order <see cref="StorageIndex"/> reads them.</summary>
    public const string FragmentColumns =
        "number, stream_id, producer_ts, server_ts, duration_ms, size, chunk_id, file_offset, record_length, flags";

    public const string StreamColumns =
        "id, name, arn, device_name, media_type, kms_key_id, retention_hours, version, creation_ms, status, tags";

    private static readonly string[] Texts = Build();

    public static int Count => Texts.Length;

    public static string Text(Statement statement) => Texts[(int)statement];

    /// <summary>The producer or server variant of a per-clock statement (given by its producer member).</summary>
    public static Statement For(Statement producerVariant, TimestampKind kind) => producerVariant + (int)kind;

    private static string[] Build()
    {
        var t = new string[Enum.GetValues<Statement>().Length];
        t[(int)Statement.GetMeta] = "SELECT value FROM meta WHERE key = $key";
        t[(int)Statement.SetMeta] =
            "INSERT INTO meta (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
        t[(int)Statement.RaiseMeta] =
            "INSERT INTO meta (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)";

        t[(int)Statement.PutStream] =
            $"INSERT INTO streams ({StreamColumns}) VALUES ($id, $name, $arn, $device, $media, $kms, $retention, $version, $created, $status, $tags) " +
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name, arn = excluded.arn, device_name = excluded.device_name, " +
            "media_type = excluded.media_type, kms_key_id = excluded.kms_key_id, retention_hours = excluded.retention_hours, " +
            "version = excluded.version, creation_ms = excluded.creation_ms, status = excluded.status, tags = excluded.tags";
        t[(int)Statement.GetStream] = $"SELECT {StreamColumns} FROM streams WHERE id = $id";
        t[(int)Statement.FindStreamByName] = $"SELECT {StreamColumns} FROM streams WHERE name = $name";
        t[(int)Statement.FindStreamByArn] = $"SELECT {StreamColumns} FROM streams WHERE arn = $arn";
        t[(int)Statement.ListStreams] =
            $"SELECT {StreamColumns} FROM streams WHERE name > $after AND name >= $lo AND name < $hi ORDER BY name LIMIT $limit";
        t[(int)Statement.MaxStreamId] = "SELECT max(id) FROM streams";
        t[(int)Statement.DeleteStreamFragments] = "DELETE FROM fragments WHERE stream_id = $id";
        t[(int)Statement.DeleteStreamCoverage] = "DELETE FROM coverage WHERE stream_id = $id";
        t[(int)Statement.DeleteStream] = "DELETE FROM streams WHERE id = $id";

        t[(int)Statement.PutChunk] =
            "INSERT INTO chunks (id, log_class, indexed_end, newest_server_ts, sealed) VALUES ($id, $class, $end, $newest, $sealed) " +
            "ON CONFLICT (id) DO UPDATE SET log_class = excluded.log_class, indexed_end = excluded.indexed_end, " +
            "newest_server_ts = excluded.newest_server_ts, sealed = excluded.sealed";
        t[(int)Statement.ListChunks] = "SELECT id, log_class, indexed_end, newest_server_ts, sealed FROM chunks ORDER BY id";
        t[(int)Statement.ListChunksOfClass] =
            "SELECT id, log_class, indexed_end, newest_server_ts, sealed FROM chunks WHERE log_class = $class ORDER BY id";
        t[(int)Statement.ChunkIndexedEnd] = "SELECT indexed_end FROM chunks WHERE id = $id";
        t[(int)Statement.ChunkFragments] =
            "SELECT stream_id, producer_ts, server_ts, duration_ms FROM fragments WHERE chunk_id = $id";
        t[(int)Statement.DeleteChunkFragments] = "DELETE FROM fragments WHERE chunk_id = $id";
        t[(int)Statement.DeleteChunk] = "DELETE FROM chunks WHERE id = $id";

        // Rows of a stream that is gone by the time its group commits are dropped here rather than failing the
        // whole group (the stream's delete is journaled, so recovery drops them too).
        t[(int)Statement.InsertFragment] =
            $"INSERT INTO fragments ({FragmentColumns}) " +
            "SELECT $number, $stream, $producer, $server, $duration, $size, $chunk, $offset, $length, $flags " +
            "WHERE EXISTS (SELECT 1 FROM streams WHERE id = $stream) ON CONFLICT (number) DO NOTHING";
        t[(int)Statement.GetFragment] = $"SELECT {FragmentColumns} FROM fragments WHERE number = $number";
        t[(int)Statement.MaxFragmentNumber] = "SELECT max(number) FROM fragments";
        t[(int)Statement.CountAll] = "SELECT count(*) FROM fragments";
        t[(int)Statement.CountStream] = "SELECT count(*) FROM fragments INDEXED BY fragments_by_stream WHERE stream_id = $stream";
        t[(int)Statement.ListAfterNumber] =
            $"SELECT {FragmentColumns} FROM fragments INDEXED BY fragments_by_stream " +
            "WHERE stream_id = $stream AND number > $after ORDER BY number LIMIT $limit";

        // Pages: the caller folds the cursor into the range ($lo/$hi), so the index range itself starts at the cursor
        // and a deep page costs the same as the first; the OR only drops the few rows that share the cursor's
        // timestamp. (A row-value comparison would say the same, but whether it bounds the index is up to the planner.)
        foreach (var kind in Enum.GetValues<TimestampKind>())
        {
            var ts = kind == TimestampKind.Producer ? "producer_ts" : "server_ts";
            var from = $"FROM fragments INDEXED BY fragments_by_{(kind == TimestampKind.Producer ? "producer" : "server")}";
            t[(int)For(Statement.PageAscProducer, kind)] =
                $"SELECT {FragmentColumns} {from} WHERE stream_id = $stream AND {ts} >= $lo AND {ts} <= $hi " +
                $"AND ({ts} > $cts OR number > $cnumber) ORDER BY {ts}, number LIMIT $limit";
            t[(int)For(Statement.PageDescProducer, kind)] =
                $"SELECT {FragmentColumns} {from} WHERE stream_id = $stream AND {ts} >= $lo AND {ts} <= $hi " +
                $"AND ({ts} < $cts OR number < $cnumber) ORDER BY {ts} DESC, number DESC LIMIT $limit";
            t[(int)For(Statement.FirstProducer, kind)] =
                $"SELECT {FragmentColumns} {from} WHERE stream_id = $stream ORDER BY {ts}, number LIMIT 1";
            t[(int)For(Statement.LastProducer, kind)] =
                $"SELECT {FragmentColumns} {from} WHERE stream_id = $stream ORDER BY {ts} DESC, number DESC LIMIT 1";
            t[(int)For(Statement.ContainingProducer, kind)] =
                $"SELECT {FragmentColumns} {from} WHERE stream_id = $stream AND {ts} >= $lo AND {ts} <= $t " +
                $"AND {ts} + duration_ms > $t ORDER BY {ts} DESC, number DESC LIMIT 1";
            t[(int)For(Statement.StartingAfterProducer, kind)] =
                $"SELECT {FragmentColumns} {from} WHERE stream_id = $stream AND {ts} > $t ORDER BY {ts}, number LIMIT 1";
            t[(int)For(Statement.IntervalsProducer, kind)] =
                $"SELECT {ts}, duration_ms {from} WHERE stream_id = $stream AND {ts} >= $lo AND {ts} <= $hi ORDER BY {ts}";
        }

        // Run through RawStatement, which binds by position: ?1 stream, ?2 kind, then the values.
        t[(int)Statement.CoverageAtOrBefore] =
            "SELECT start_ms, end_ms FROM coverage WHERE stream_id = ?1 AND kind = ?2 AND start_ms <= ?3 ORDER BY start_ms DESC";
        t[(int)Statement.CoverageUpdateEnd] =
            "UPDATE coverage SET end_ms = ?4 WHERE stream_id = ?1 AND kind = ?2 AND start_ms = ?3";
        t[(int)Statement.CoverageDeleteRange] =
            "DELETE FROM coverage WHERE stream_id = $stream AND kind = $kind AND start_ms >= $lo AND start_ms <= $hi";
        t[(int)Statement.CoverageInsert] =
            "INSERT INTO coverage (stream_id, kind, start_ms, end_ms) VALUES (?1, ?2, ?3, ?4)";
        // Runs that may overlap [lo, hi]: from the last run starting at or before lo (it may reach into the range)
        // to the last one starting at or before hi; runs are disjoint and sorted, so this is one index range.
        t[(int)Statement.CoverageInRange] =
            "SELECT start_ms, end_ms FROM coverage WHERE stream_id = $stream AND kind = $kind AND start_ms <= $hi " +
            "AND start_ms >= coalesce((SELECT max(start_ms) FROM coverage WHERE stream_id = $stream AND kind = $kind AND start_ms <= $lo), $lo) " +
            "ORDER BY start_ms";
        t[(int)Statement.CoverageAll] = "SELECT stream_id, kind, start_ms, end_ms FROM coverage ORDER BY stream_id, kind, start_ms";

        // Retention: a stream's oldest fragments by server time (one range of fragments_by_server), deleted a batch at a
        // time by number; and the chunks no fragment row points at any more (one probe of fragments_by_chunk each).
        t[(int)Statement.StreamFragmentsBefore] =
            "SELECT number, producer_ts, server_ts, duration_ms FROM fragments INDEXED BY fragments_by_server " +
            "WHERE stream_id = $stream AND server_ts < $before ORDER BY server_ts, number LIMIT $limit";
        t[(int)Statement.DeleteFragment] = "DELETE FROM fragments WHERE number = $number";
        t[(int)Statement.EmptyChunks] =
            "SELECT id, log_class, indexed_end, newest_server_ts, sealed FROM chunks AS c WHERE NOT EXISTS " +
            "(SELECT 1 FROM fragments INDEXED BY fragments_by_chunk WHERE chunk_id = c.id) ORDER BY id";

        for (var i = 0; i < t.Length; i++)
        {
            if (t[i] is null)
            {
                throw new InvalidOperationException($"Statement {(Statement)i} has no SQL.");
            }
        }

        return t;
    }
}
