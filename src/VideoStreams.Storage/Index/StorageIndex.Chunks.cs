using VideoStreams.Storage.Fragments;

namespace VideoStreams.Storage.Index;

public sealed partial class StorageIndex
{
    /// <summary>Inserts the chunk or replaces the row with its id.</summary>
    /// <remarks>A chunk's row must exist before fragments in it are committed (or come in the same <see cref="Commit"/>).</remarks>
    public void PutChunk(ChunkEntry chunk)
    {
        lock (_writeLock)
        {
            WriteChunk(Writer(), chunk);
        }
    }

    /// <summary>The chunks, in id order; only those of one log class if <paramref name="logClass"/> is given.</summary>
    public IReadOnlyList<ChunkEntry> Chunks(string? logClass = null)
    {
        using var lease = RentReader();
        var command = logClass is null
            ? lease.Connection.Command(Statement.ListChunks)
            : lease.Connection.Command(Statement.ListChunksOfClass).Bind("$class", logClass);
        var chunks = new List<ChunkEntry>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            chunks.Add(new ChunkEntry(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4) != 0));
        }

        return chunks;
    }

    /// <summary>How many bytes of the chunk are indexed (recovery scans from there); 0 for an unknown chunk.</summary>
    public long IndexedEnd(long chunkId)
    {
        using var lease = RentReader();
        return lease.Connection.Command(Statement.ChunkIndexedEnd).Bind("$id", chunkId).ScalarInt64() ?? 0;
    }

    /// <summary>
    /// Removes the chunk's row and the rows of every fragment in it, in one transaction, and repairs the coverage
    /// runs of the streams it held. Returns how many fragment rows went.
    /// </summary>
    public int RemoveChunk(long chunkId)
    {
        lock (_writeLock)
        {
            var writer = Writer();
            using var tx = writer.Begin(write: true);
            var removed = new List<CoverageInterval>();
            using (var reader = writer.Command(Statement.ChunkFragments).Bind("$id", chunkId).ExecuteReader())
            {
                while (reader.Read())
                {
                    var stream = reader.GetInt64(0);
                    var duration = reader.GetInt64(3);
                    var producer = reader.GetInt64(1);
                    var server = reader.GetInt64(2);
                    removed.Add(new CoverageInterval(stream, TimestampKind.Producer, producer, producer + duration));
                    removed.Add(new CoverageInterval(stream, TimestampKind.Server, server, server + duration));
                }
            }

            var count = writer.Command(Statement.DeleteChunkFragments).Bind("$id", chunkId).ExecuteNonQuery();
            writer.Command(Statement.DeleteChunk).Bind("$id", chunkId).ExecuteNonQuery();
            RepairCoverage(writer, removed);
            tx.Commit();
            return count;
        }
    }

    private static void WriteChunk(IndexConnection connection, in ChunkEntry chunk) =>
        connection.Command(Statement.PutChunk)
            .Bind("$id", chunk.Id)
            .Bind("$class", chunk.LogClass)
            .Bind("$end", chunk.IndexedEnd)
            .Bind("$newest", chunk.NewestServerTimestampMs)
            .Bind("$sealed", chunk.Sealed ? 1 : 0)
            .ExecuteNonQuery();
}
