using VideoStreams.Storage.Fragments;

namespace VideoStreams.Storage.Index;

public sealed partial class StorageIndex
{
    // Reused by every commit (always under the write lock) so a group commit allocates no per-fragment lists.
    private readonly List<CoverageInterval> _commitIntervals = [];
    private InsertSlots? _insertSlots;

    /// <summary>
    /// Indexes a group commit in ONE transaction: the touched chunks' rows (IndexedEnd, newest server time) first,
    /// then every fragment's row and its coverage, then any meta values the caller wants committed with them.
    /// </summary>
    /// <param name="fragments">The fragments made durable by this group commit.</param>
    /// <param name="chunkUpdates">The chunks they went to, with their new IndexedEnd (inserted if new).</param>
    /// <param name="meta">Meta values to set in the same transaction (e.g. the next fragment number).</param>
    /// <returns>
    /// How many rows were inserted. A fragment already indexed (recovery re-indexing a record twice) is skipped, and
    /// so is a fragment of a stream that is no longer in the index (it was deleted while its group was committing).
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">A fragment has a negative duration.</exception>
    public int Commit(
        ReadOnlySpan<FragmentEntry> fragments,
        ReadOnlySpan<ChunkEntry> chunkUpdates,
        ReadOnlySpan<KeyValuePair<string, long>> meta = default)
    {
        lock (_writeLock)
        {
            var writer = Writer();
            using var tx = writer.Begin(write: true);
            foreach (ref readonly var chunk in chunkUpdates)
            {
                WriteChunk(writer, chunk);
            }

            var insert = writer.Raw(Statement.InsertFragment);
            _insertSlots ??= InsertSlots.Resolve(insert);
            var slot = _insertSlots.Value;

            var intervals = _commitIntervals;
            intervals.Clear();
            var inserted = 0;
            var maxNumber = long.MinValue;
            var maxDuration = 0L;
            foreach (ref readonly var fragment in fragments)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(fragment.DurationMs, nameof(fragments));
                insert.Bind(slot.Number, fragment.Number);
                insert.Bind(slot.Stream, fragment.StreamId);
                insert.Bind(slot.Producer, fragment.ProducerTimestampMs);
                insert.Bind(slot.Server, fragment.ServerTimestampMs);
                insert.Bind(slot.Duration, fragment.DurationMs);
                insert.Bind(slot.Size, fragment.Size);
                insert.Bind(slot.Chunk, fragment.ChunkId);
                insert.Bind(slot.Offset, fragment.Offset);
                insert.Bind(slot.Length, fragment.Length);
                insert.Bind(slot.Flags, (int)fragment.Flags);
                if (insert.Execute() == 0)
                {
                    continue;
                }

                inserted++;
                maxNumber = Math.Max(maxNumber, fragment.Number);
                maxDuration = Math.Max(maxDuration, fragment.DurationMs);
                intervals.Add(new CoverageInterval(fragment.StreamId, TimestampKind.Producer,
                    fragment.ProducerTimestampMs, fragment.ProducerTimestampMs + fragment.DurationMs));
                intervals.Add(new CoverageInterval(fragment.StreamId, TimestampKind.Server,
                    fragment.ServerTimestampMs, fragment.ServerTimestampMs + fragment.DurationMs));
            }

            if (inserted > 0)
            {
                RaiseMeta(writer, MetaKeys.MaxFragmentNumber, maxNumber);
                if (maxDuration > Volatile.Read(ref _maxDurationMs))
                {
                    // Raised before the rows are visible, so a reader never bounds a look-back by a smaller value
                    // than a committed fragment needs; a rolled-back commit only leaves a looser bound.
                    Volatile.Write(ref _maxDurationMs, maxDuration);
                    RaiseMeta(writer, MetaKeys.MaxDurationMs, maxDuration);
                }

                AddCoverage(writer, intervals);
            }

            foreach (var (key, value) in meta)
            {
                WriteMeta(writer, key, value);
            }

            tx.Commit();
            return inserted;
        }
    }

    /// <summary>The insert's parameter positions, resolved once.</summary>
    private readonly record struct InsertSlots(
        int Number, int Stream, int Producer, int Server, int Duration, int Size, int Chunk, int Offset, int Length, int Flags)
    {
        public static InsertSlots Resolve(RawStatement insert) => new(
            insert.IndexOf("$number"), insert.IndexOf("$stream"), insert.IndexOf("$producer"), insert.IndexOf("$server"),
            insert.IndexOf("$duration"), insert.IndexOf("$size"), insert.IndexOf("$chunk"), insert.IndexOf("$offset"),
            insert.IndexOf("$length"), insert.IndexOf("$flags"));
    }
}
