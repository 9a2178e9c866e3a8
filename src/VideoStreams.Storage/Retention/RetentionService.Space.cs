namespace VideoStreams.Storage.Retention;

// Free-space eviction. Below the low watermark the oldest chunks go first — oldest by their newest fragment's server
// time, across every retention class — until free space is back above the high watermark, whatever their retention:
// live ingest matters more than the oldest recordings. When only the logs' current chunks are left they are sealed
// and go too. The gap between the watermarks keeps eviction from running on every check once the disk is full of
// data at its steady state.
public sealed partial class RetentionService
{
    private async Task EvictForSpaceAsync(PassTally tally, CancellationToken cancellationToken)
    {
        var total = _store.TotalSpace;
        var low = _options.LowWatermark(total);
        var high = _options.HighWatermark(total);
        var free = _store.AvailableFreeSpace;
        if (free >= low)
        {
            return;
        }

        // Space freed so far as the chunks' sizes say: a chunk a reader holds is deleted only when the reader lets
        // go, and the disk's count would not show it yet.
        var estimate = free;
        var sealedCurrent = false;
        while (true)
        {
            var oldestFirst = _store.Chunks().Where(c => c.Sealed).OrderBy(c => c.NewestServerTimestampMs).ThenBy(c => c.Id);
            foreach (var chunk in oldestFirst)
            {
                cancellationToken.ThrowIfCancellationRequested();
                free = _store.AvailableFreeSpace;
                if (Math.Max(free, estimate) >= high)
                {
                    return;
                }

                if (_store.RetireChunk(chunk.Id))
                {
                    estimate += chunk.IndexedEnd;
                    tally.EvictedChunks++;
                    tally.EvictedBytes += chunk.IndexedEnd;
                    _metrics.ChunkEvicted(chunk.LogClass, chunk.IndexedEnd);
                    RetentionLog.ChunkEvicted(_logger, chunk.Id, chunk.LogClass, chunk.IndexedEnd, chunk.NewestServerTimestampMs, free, low);
                }
            }

            free = _store.AvailableFreeSpace;
            if (Math.Max(free, estimate) >= high)
            {
                return;
            }

            if (sealedCurrent)
            {
                RetentionLog.NothingLeftToEvict(_logger, free, high);
                return;
            }

            // Only the chunks taking appends are left: seal them so that even the newest data can make room.
            _store.SealCurrentChunks();
            sealedCurrent = true;
            tally.Sealed = true;
            RetentionLog.CurrentChunksSealed(_logger, "free space is below the watermark and no sealed chunk is left");
            await _store.CommitAsync().WaitAsync(cancellationToken);
        }
    }
}
