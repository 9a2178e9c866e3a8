using VideoStreams.Storage.Fragments;

namespace VideoStreams.Storage.Index;

// Retention's view of the index: a stream's fragments past its retention leave the index (they become unreadable at
// once), and a chunk no row points at any more can be deleted whole.
public sealed partial class StorageIndex
{
    // Rows removed per transaction: the commit thread waits for the write lock at most this long, and a decrease
    // from years to an hour never holds millions of rows (and their coverage spans) in memory at once.
    private const int ExpiryBatch = 4096;

    /// <summary>
    /// Removes the rows of the stream's fragments whose server time is before <paramref name="serverTimestampMs"/>,
    /// oldest first, and repairs its coverage runs. Returns how many rows went. The records stay in their chunks until
    /// retention deletes the chunk files.
    /// </summary>
    public long RemoveFragmentsBefore(long streamId, long serverTimestampMs)
    {
        long total = 0;
        while (true)
        {
            var removed = RemoveExpiredBatch(streamId, serverTimestampMs);
            total += removed;
            if (removed < ExpiryBatch)
            {
                return total;
            }
        }
    }

    /// <summary>The chunks that no fragment row points at (all their fragments expired, or their streams were deleted), in id order.</summary>
    public IReadOnlyList<ChunkEntry> ChunksWithoutFragments()
    {
        using var lease = RentReader();
        var chunks = new List<ChunkEntry>();
        using var reader = lease.Connection.Command(Statement.EmptyChunks).ExecuteReader();
        while (reader.Read())
        {
            chunks.Add(new ChunkEntry(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4) != 0));
        }

        return chunks;
    }

    private int RemoveExpiredBatch(long streamId, long beforeMs)
    {
        lock (_writeLock)
        {
            var writer = Writer();
            using var tx = writer.Begin(write: true);
            var numbers = new List<long>();
            var removed = new List<CoverageInterval>();
            var select = writer.Command(Statement.StreamFragmentsBefore)
                .Bind("$stream", streamId).Bind("$before", beforeMs).Bind("$limit", ExpiryBatch);
            using (var reader = select.ExecuteReader())
            {
                while (reader.Read())
                {
                    numbers.Add(reader.GetInt64(0));
                    var producer = reader.GetInt64(1);
                    var server = reader.GetInt64(2);
                    var duration = reader.GetInt64(3);
                    removed.Add(new CoverageInterval(streamId, TimestampKind.Producer, producer, producer + duration));
                    removed.Add(new CoverageInterval(streamId, TimestampKind.Server, server, server + duration));
                }
            }

            if (numbers.Count == 0)
            {
                return 0;
            }

            var delete = writer.Command(Statement.DeleteFragment);
            foreach (var number in numbers)
            {
                delete.Bind("$number", number).ExecuteNonQuery();
            }

            RepairCoverage(writer, removed);
            tx.Commit();
            return numbers.Count;
        }
    }
}
