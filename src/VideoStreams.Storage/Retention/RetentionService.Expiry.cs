using VideoStreams.Storage.Format;

namespace VideoStreams.Storage.Retention;

// Retention by age. Every pass trims each stream's index rows to its current retention (so a fragment is unreadable
// as soon as it expires, a decrease or a rebuilt index is caught up with, and an increase keeps what it should), then
// deletes the chunk files no row points at any more: whole files, once every fragment in them has expired or
// belonged to a deleted stream. Fragments of every stream with the same retention share a chunk, so this is the
// issue's rule "a file goes once every fragment in it is past retention", judged by each stream's retention now.
public sealed partial class RetentionService
{
    private async Task ExpireAsync(PassTally tally, CancellationToken cancellationToken)
    {
        var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var stream in _store.StreamsById.Values)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var removed = _store.Index.RemoveFragmentsBefore(stream.Id, RetentionPolicy.CutoffMs(stream.DataRetentionInHours, nowMs));
            if (removed > 0)
            {
                tally.ExpiredFragments += removed;
                _metrics.FragmentsExpired(removed);
                RetentionLog.FragmentsExpired(_logger, stream.Id, removed, stream.DataRetentionInHours);
            }
        }

        var empty = _store.Index.ChunksWithoutFragments();
        if (empty.Any(c => !c.Sealed && c.IndexedEnd > ChunkHeader.Size))
        {
            // A log nobody appends to any more (its streams stopped, were deleted or moved to another retention)
            // would keep its expired current chunk for ever: seal it, and commit so the index knows.
            _store.SealCurrentChunks();
            tally.Sealed = true;
            RetentionLog.CurrentChunksSealed(_logger, "a current chunk holds only expired data");
            await _store.CommitAsync().WaitAsync(cancellationToken);
            empty = _store.Index.ChunksWithoutFragments();
        }

        foreach (var chunk in empty)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (chunk.Sealed && _store.RetireChunk(chunk.Id))
            {
                tally.ExpiredChunks++;
                tally.ExpiredBytes += chunk.IndexedEnd;
                _metrics.ChunkExpired(chunk.LogClass, chunk.IndexedEnd);
                RetentionLog.ChunkExpired(_logger, chunk.Id, chunk.LogClass, chunk.IndexedEnd, chunk.NewestServerTimestampMs);
            }
        }
    }
}
