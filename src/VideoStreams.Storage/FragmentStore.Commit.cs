using Microsoft.Data.Sqlite;
using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Log;

namespace VideoStreams.Storage;

/// <summary>
/// Group commit. Appends pile up in one list across all streams; the commit thread takes the list every
/// <see cref="FragmentStoreOptions.CommitInterval"/> (or as soon as <see cref="FragmentStoreOptions.CommitBytes"/> wait),
/// syncs each chunk the list touched once — one per retention class, however many streams wrote — then commits every
/// index row in one transaction, and only then reports the fragments PERSISTED.
/// </summary>
public sealed partial class FragmentStore
{
    private readonly Thread _commitThread;
    private readonly ManualResetEventSlim _hasWork = new(false);
    private readonly ManualResetEventSlim _commitNow = new(false);
    private readonly Dictionary<long, long> _chunkNewest = [];
    private List<Pending> _pending = [];
    private List<LogChunk> _sealed = [];
    private List<TaskCompletionSource> _forced = [];
    private long _pendingBytes;
    private volatile bool _stopping;
    private volatile bool _abandoned;

    /// <summary>
    /// Tests only: stops as a crash would — what is pending is never committed (its tasks never complete) — and closes
    /// the files, so a test can reopen the data folder as the next process would.
    /// </summary>
    internal void AbandonForTests()
    {
        _abandoned = true;
        StopCommitting();
        _disposed = true;
        _chunks.Dispose();
        Index.Dispose();
    }

    /// <summary>Commits what is pending now, without waiting for the interval, and completes when it is durable.</summary>
    public Task CommitAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_appendLock)
        {
            _forced.Add(done);
            _hasWork.Set();
            _commitNow.Set();
        }

        return done.Task;
    }

    /// <summary>Called under the append lock.</summary>
    private Task<StorageResult<FragmentEntry>> Enqueue(FragmentEntry entry, string logClass, LogChunk chunk, int length)
    {
        var done = new TaskCompletionSource<StorageResult<FragmentEntry>>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending.Add(new Pending(entry, logClass, chunk, done, _time.GetTimestamp()));
        _pendingBytes += length;
        _hasWork.Set();
        if (_pendingBytes >= _options.CommitBytes)
        {
            _commitNow.Set();
        }

        return done.Task;
    }

    /// <summary>Called under the append lock when a log started a new chunk (the old one is synced already).</summary>
    private void SealedSinceCommit(LogChunk chunk) => _sealed.Add(chunk);

    private void CommitLoop()
    {
        while (true)
        {
            _hasWork.Wait();
            if (_abandoned)
            {
                return;
            }

            if (!_stopping)
            {
                // Let the window fill: more appends share this commit's syncs. The window opens with the oldest
                // waiting append, so what arrived during the previous commit (under load: all of it) goes at once.
                TimeSpan wait;
                lock (_appendLock)
                {
                    wait = _pending.Count == 0 ? _options.CommitInterval : _options.CommitInterval - _time.GetElapsedTime(_pending[0].AppendedAt);
                }

                if (wait > TimeSpan.Zero)
                {
                    _commitNow.Wait(wait);
                }
            }

            List<Pending> batch;
            List<LogChunk> sealedChunks;
            List<TaskCompletionSource> forced;
            lock (_appendLock)
            {
                (batch, _pending) = (_pending, []);
                (sealedChunks, _sealed) = (_sealed, []);
                (forced, _forced) = (_forced, []);
                _pendingBytes = 0;
                _hasWork.Reset();
                _commitNow.Reset();
            }

            if (_abandoned)
            {
                return;
            }

            if (batch.Count > 0 || sealedChunks.Count > 0)
            {
                CommitBatch(batch, sealedChunks);
            }

            foreach (var waiter in forced)
            {
                waiter.TrySetResult();
            }

            if (_stopping)
            {
                lock (_appendLock)
                {
                    if (_pending.Count == 0 && _forced.Count == 0)
                    {
                        return;
                    }
                }
            }
        }
    }

    private void CommitBatch(List<Pending> batch, List<LogChunk> sealedChunks)
    {
        var started = _time.GetTimestamp();
        var syncs = 0;
        try
        {
            var touched = new Dictionary<long, (LogChunk Chunk, string Class, long End)>();
            foreach (var p in batch)
            {
                var end = p.Entry.Offset + p.Entry.Length;
                touched[p.Chunk.Id] = touched.TryGetValue(p.Chunk.Id, out var t) ? t with { End = Math.Max(t.End, end) } : (p.Chunk, p.LogClass, end);
                _chunkNewest[p.Chunk.Id] = Math.Max(_chunkNewest.GetValueOrDefault(p.Chunk.Id, long.MinValue), p.Entry.ServerTimestampMs);
            }

            var syncedDirectories = new HashSet<string>();
            foreach (var (chunk, logClass, _) in touched.Values)
            {
                if (_options.UnsafeSkipSyncForTests)
                {
                    continue;
                }

                chunk.Sync();
                syncs++;
                if (!chunk.DirectoryEntryDurable)
                {
                    if (syncedDirectories.Add(logClass))
                    {
                        _files.SyncDirectory(LogLayout.Directory(logClass));
                        syncs++;
                    }

                    chunk.DirectoryEntryDurable = true;
                }
            }

            var sealedIds = sealedChunks.Select(c => c.Id).ToHashSet();
            var updates = touched.Values
                .Select(t => new ChunkEntry(t.Chunk.Id, t.Class, t.End, _chunkNewest[t.Chunk.Id], sealedIds.Contains(t.Chunk.Id)))
                .Concat(sealedChunks.Where(c => !touched.ContainsKey(c.Id)).Select(c => new ChunkEntry(c.Id, c.Header.LogClass, c.Tail, _chunkNewest.GetValueOrDefault(c.Id, 0), true)))
                .ToArray();
            var entries = batch.Select(p => p.Entry).ToArray();
            Index.Commit(entries, updates);
        }
        catch (Exception e) when (e is IOException or SqliteException or CorruptSegmentException)
        {
            StoreLog.CommitFailed(_logger, batch.Count, e.Message);
            _metrics.CommitFailures.Add(batch.Count);
            lock (_appendLock)
            {
                // The index must still learn that these chunks are sealed (retention deletes only sealed chunks):
                // the next commit records them.
                _sealed.AddRange(sealedChunks);
            }

            foreach (var p in batch)
            {
                p.Done.TrySetResult(StorageResult<FragmentEntry>.Fail(StorageError.IOError, "the fragment could not be made durable: " + e.Message));
            }

            return;
        }

        var finished = _time.GetTimestamp();
        _metrics.Commits.Add(1);
        _metrics.Syncs.Add(syncs);
        _metrics.CommitDuration.Record(_time.GetElapsedTime(started, finished).TotalMilliseconds);
        long bytes = 0;
        foreach (var p in batch)
        {
            p.Done.TrySetResult(StorageResult<FragmentEntry>.Ok(p.Entry));
            _metrics.PersistLatency.Record(_time.GetElapsedTime(p.AppendedAt, finished).TotalMilliseconds);
            bytes += p.Entry.Size;
        }

        _metrics.Persisted.Add(batch.Count);
        _metrics.PersistedBytes.Add(bytes);

        var committed = FragmentCommitted;
        if (committed is not null)
        {
            foreach (var p in batch)
            {
                committed(p.Entry);
            }
        }
    }

    private void StopCommitting()
    {
        if (!_commitThread.IsAlive)
        {
            return;
        }

        _stopping = true;
        _hasWork.Set();
        _commitNow.Set();
        _commitThread.Join();
    }

    private readonly record struct Pending(FragmentEntry Entry, string LogClass, LogChunk Chunk, TaskCompletionSource<StorageResult<FragmentEntry>> Done, long AppendedAt);
}
