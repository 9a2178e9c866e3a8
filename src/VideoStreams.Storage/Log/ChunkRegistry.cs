using VideoStreams.Storage.Files;

namespace VideoStreams.Storage.Log;

/// <summary>
/// Every chunk file the store knows, with an open handle when one is needed and a count of readers holding it.
/// Retention asks to delete a chunk through here: a chunk a reader holds is deleted when the last reader lets go,
/// never under its feet.
/// </summary>
internal sealed class ChunkRegistry(IStorageFileSystem files) : IDisposable
{
    // Sealed chunks are opened on demand; past this many open handles, idle ones are closed again.
    private const int MaxOpenHandles = 256;

    private readonly Dictionary<long, Entry> _chunks = [];
    private int _open;

    /// <summary>Registers a chunk already open (the ones logs append to).</summary>
    public void Add(LogChunk chunk)
    {
        lock (_chunks)
        {
            _chunks[chunk.Id] = new Entry(chunk.Path) { Chunk = chunk, Pinned = true };
            _open++;
        }
    }

    /// <summary>Registers a chunk on disk that is not open yet.</summary>
    public void AddOnDisk(long id, string path)
    {
        lock (_chunks)
        {
            _chunks.TryAdd(id, new Entry(path));
        }
    }

    /// <summary>A chunk stopped taking appends: its handle may now be closed when idle.</summary>
    public void Unpin(long id)
    {
        lock (_chunks)
        {
            if (_chunks.TryGetValue(id, out var entry))
            {
                entry.Pinned = false;
            }
        }
    }

    /// <summary>Holds a chunk for reading; dispose the lease when done.</summary>
    /// <returns>The lease, or null when the chunk is unknown or being deleted.</returns>
    public ChunkLease? Acquire(long id)
    {
        lock (_chunks)
        {
            if (!_chunks.TryGetValue(id, out var entry) || entry.Doomed)
            {
                return null;
            }

            if (entry.Chunk is null)
            {
                if (_open >= MaxOpenHandles)
                {
                    CloseIdle();
                }

                entry.Chunk = LogChunk.Open(files, entry.Path, writable: false);
                _open++;
            }

            entry.Leases++;
            return new ChunkLease(this, id, entry.Chunk);
        }
    }

    /// <summary>
    /// Deletes a chunk file now if no reader holds it, else as soon as the last one lets go. Returns false when it was
    /// deferred.
    /// </summary>
    public bool Delete(long id)
    {
        lock (_chunks)
        {
            if (!_chunks.TryGetValue(id, out var entry))
            {
                return true;
            }

            entry.Doomed = true;
            if (entry.Leases > 0)
            {
                return false;
            }

            Remove(id, entry);
            return true;
        }
    }

    /// <summary>Ids of the chunks whose deletion waits for readers.</summary>
    public int PendingDeletes
    {
        get
        {
            lock (_chunks)
            {
                return _chunks.Values.Count(e => e.Doomed);
            }
        }
    }

    public void Dispose()
    {
        lock (_chunks)
        {
            foreach (var entry in _chunks.Values)
            {
                entry.Chunk?.Dispose();
            }

            _chunks.Clear();
        }
    }

    private void Release(long id)
    {
        lock (_chunks)
        {
            if (_chunks.TryGetValue(id, out var entry) && --entry.Leases == 0 && entry.Doomed)
            {
                Remove(id, entry);
            }
        }
    }

    private void Remove(long id, Entry entry)
    {
        if (entry.Chunk is not null)
        {
            entry.Chunk.Dispose();
            _open--;
        }

        _chunks.Remove(id);
        files.Delete(entry.Path);
    }

    private void CloseIdle()
    {
        foreach (var entry in _chunks.Values)
        {
            if (entry.Chunk is not null && entry.Leases == 0 && !entry.Pinned)
            {
                entry.Chunk.Dispose();
                entry.Chunk = null;
                _open--;
            }
        }
    }

    private sealed class Entry(string path)
    {
        public string Path { get; } = path;

        public LogChunk? Chunk { get; set; }

        public int Leases { get; set; }

        public bool Pinned { get; set; }

        public bool Doomed { get; set; }
    }

    /// <summary>A reader's hold on a chunk.</summary>
    public sealed class ChunkLease(ChunkRegistry registry, long id, LogChunk chunk) : IDisposable
    {
        private int _released;

        public LogChunk Chunk { get; } = chunk;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                registry.Release(id);
            }
        }
    }
}
