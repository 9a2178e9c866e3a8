using VideoStreams.Storage.Files;

namespace VideoStreams.Storage.Tests.Files;

/// <summary>
/// A file system in memory that remembers, for every file, what a power cut would leave: the bytes as of its last
/// sync, and only if its directory entry was synced too. Used to cut the power at any moment (<see cref="PowerCut"/>),
/// to tear the last write, to fill the disk, and to fail writes — the faults a real disk has and a SIGKILL cannot show.
/// </summary>
public sealed class SimulatedFileSystem : IStorageFileSystem
{
    private readonly Dictionary<string, Node> _files = new(StringComparer.Ordinal);
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal) { "." };
    private readonly Lock _lock = new();

    /// <summary>Bytes that may still be written before writes fail with <see cref="DiskFullException"/>.</summary>
    public long FreeBytes { get; set; } = long.MaxValue / 2;

    /// <summary>When set, every write and sync fails with an <see cref="IOException"/> (a failing disk).</summary>
    public bool FailIO { get; set; }

    /// <summary>Number of syncs done (file and directory).</summary>
    public int Syncs { get; private set; }

    /// <inheritdoc/>
    public long AvailableFreeSpace => FreeBytes;

    /// <inheritdoc/>
    public long TotalSpace => long.MaxValue / 2;

    /// <summary>
    /// What survives a power cut now: files whose directory entry is durable, holding their synced bytes. With
    /// <paramref name="tearLastWrite"/>, the last unsynced write of each file leaves a prefix of itself behind, as a
    /// write interrupted by the power cut may.
    /// </summary>
    public SimulatedFileSystem PowerCut(Random? tearLastWrite = null)
    {
        lock (_lock)
        {
            var survivor = new SimulatedFileSystem();
            foreach (var directory in _directories)
            {
                survivor._directories.Add(directory);
            }

            foreach (var (path, node) in _files.Concat(_deletedButDurable))
            {
                if (!node.EntryDurable)
                {
                    continue;
                }

                var bytes = node.Durable.ToList();
                if (tearLastWrite is not null && node.LastWrite is { } last && last.Offset <= bytes.Count)
                {
                    // Part of the interrupted write reached the disk: a prefix of it, over and past the synced bytes.
                    var keep = tearLastWrite.Next(last.Data.Length + 1);
                    for (var i = 0; i < keep; i++)
                    {
                        var at = (int)last.Offset + i;
                        if (at < bytes.Count)
                        {
                            bytes[at] = last.Data[i];
                        }
                        else
                        {
                            bytes.Add(last.Data[i]);
                        }
                    }
                }

                survivor._files[path] = new Node { Data = [.. bytes], Durable = [.. bytes], EntryDurable = true };
            }

            return survivor;
        }
    }

    /// <summary>The current (not necessarily durable) bytes of a file, for tests that tamper with them.</summary>
    public byte[] ReadAllBytes(string path)
    {
        lock (_lock)
        {
            return [.. _files[path].Data];
        }
    }

    /// <summary>Replaces a file's bytes (durably), for tests that corrupt data on purpose.</summary>
    public void WriteAllBytes(string path, byte[] bytes)
    {
        lock (_lock)
        {
            _files[path] = new Node { Data = [.. bytes], Durable = [.. bytes], EntryDurable = true };
        }
    }

    /// <summary>Paths of every file.</summary>
    public IReadOnlyList<string> AllFiles()
    {
        lock (_lock)
        {
            return _files.Keys.Order(StringComparer.Ordinal).ToList();
        }
    }

    /// <inheritdoc/>
    public IStorageFile Create(string path)
    {
        lock (_lock)
        {
            if (_files.ContainsKey(path))
            {
                throw new IOException($"{path} exists");
            }

            if (!_directories.Contains(DirectoryOf(path)))
            {
                throw new DirectoryNotFoundException(DirectoryOf(path));
            }

            _files[path] = new Node();
            return new SimulatedFile(this, path);
        }
    }

    /// <inheritdoc/>
    public IStorageFile Open(string path, bool writable)
    {
        lock (_lock)
        {
            return _files.ContainsKey(path) ? new SimulatedFile(this, path) : throw new FileNotFoundException(path);
        }
    }

    /// <inheritdoc/>
    public bool Exists(string path)
    {
        lock (_lock)
        {
            return _files.ContainsKey(path);
        }
    }

    /// <inheritdoc/>
    public void Delete(string path)
    {
        lock (_lock)
        {
            // The data is gone at once (and its space is free again); a power cut before the directory sync brings the
            // file back.
            if (_files.TryGetValue(path, out var node))
            {
                _files.Remove(path);
                FreeBytes += node.Data.Count;
                if (node.EntryDurable)
                {
                    _deletedButDurable[path] = node;
                }
            }
        }
    }

    private readonly Dictionary<string, Node> _deletedButDurable = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public void CreateDirectory(string path)
    {
        lock (_lock)
        {
            var parts = path.Split('/');
            for (var i = 1; i <= parts.Length; i++)
            {
                _directories.Add(string.Join('/', parts[..i]));
            }
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> ListFiles(string directory, string suffix)
    {
        lock (_lock)
        {
            return _files.Keys.Where(p => DirectoryOf(p) == directory && p.EndsWith(suffix, StringComparison.Ordinal))
                .Select(p => p[(p.LastIndexOf('/') + 1)..]).Order(StringComparer.Ordinal).ToList();
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> ListDirectories(string directory)
    {
        lock (_lock)
        {
            return _directories.Where(d => d != directory && DirectoryOf(d) == directory)
                .Select(d => d[(d.LastIndexOf('/') + 1)..]).Order(StringComparer.Ordinal).ToList();
        }
    }

    /// <inheritdoc/>
    public void SyncDirectory(string directory)
    {
        lock (_lock)
        {
            if (FailIO)
            {
                throw new IOException("simulated I/O error");
            }

            Syncs++;
            foreach (var (path, node) in _files)
            {
                if (DirectoryOf(path) == directory)
                {
                    node.EntryDurable = true;
                }
            }

            foreach (var path in _deletedButDurable.Keys.Where(p => DirectoryOf(p) == directory).ToList())
            {
                _deletedButDurable.Remove(path);
            }
        }
    }

    private static string DirectoryOf(string path) => path.Contains('/', StringComparison.Ordinal) ? path[..path.LastIndexOf('/')] : ".";

    private sealed class Node
    {
        public List<byte> Data { get; set; } = [];

        public List<byte> Durable { get; set; } = [];

        public bool EntryDurable { get; set; }

        public (long Offset, byte[] Data)? LastWrite { get; set; }
    }

    private sealed class SimulatedFile(SimulatedFileSystem fs, string path) : IStorageFile
    {
        public string Path { get; } = path;

        public long Length
        {
            get
            {
                lock (fs._lock)
                {
                    return fs._files.TryGetValue(Path, out var node) ? node.Data.Count : 0;
                }
            }
        }

        public void Write(ReadOnlySpan<byte> data, long offset)
        {
            lock (fs._lock)
            {
                if (fs.FailIO)
                {
                    throw new IOException("simulated I/O error");
                }

                var node = fs._files[Path];
                var growth = Math.Max(0, offset + data.Length - node.Data.Count);
                if (growth > fs.FreeBytes)
                {
                    throw new DiskFullException($"{Path}: no space left on device (simulated)");
                }

                fs.FreeBytes -= growth;
                while (node.Data.Count < offset)
                {
                    node.Data.Add(0);
                }

                for (var i = 0; i < data.Length; i++)
                {
                    if (offset + i < node.Data.Count)
                    {
                        node.Data[(int)(offset + i)] = data[i];
                    }
                    else
                    {
                        node.Data.Add(data[i]);
                    }
                }

                node.LastWrite = (offset, data.ToArray());
            }
        }

        public int Read(Span<byte> buffer, long offset)
        {
            lock (fs._lock)
            {
                var node = fs._files[Path];
                var n = (int)Math.Max(0, Math.Min(buffer.Length, node.Data.Count - offset));
                for (var i = 0; i < n; i++)
                {
                    buffer[i] = node.Data[(int)offset + i];
                }

                return n;
            }
        }

        public void Sync()
        {
            lock (fs._lock)
            {
                if (fs.FailIO)
                {
                    throw new IOException("simulated I/O error");
                }

                fs.Syncs++;
                var node = fs._files[Path];
                node.Durable = [.. node.Data];
                node.LastWrite = null;
            }
        }

        public void Truncate(long length)
        {
            lock (fs._lock)
            {
                var node = fs._files[Path];
                if (length < node.Data.Count)
                {
                    fs.FreeBytes += node.Data.Count - length;
                    node.Data.RemoveRange((int)length, node.Data.Count - (int)length);
                }
            }
        }

        public void Dispose()
        {
        }
    }
}
