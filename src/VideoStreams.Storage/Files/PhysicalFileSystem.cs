using Microsoft.Win32.SafeHandles;

namespace VideoStreams.Storage.Files;

/// <summary>The data folder on the real disk.</summary>
public sealed class PhysicalFileSystem : IStorageFileSystem
{
    private readonly string _root;

    /// <summary>Uses <paramref name="root"/> (created if missing) as the data folder.</summary>
    public PhysicalFileSystem(string root)
    {
        _root = System.IO.Path.GetFullPath(root);
        System.IO.Directory.CreateDirectory(_root);
    }

    /// <inheritdoc/>
    public long AvailableFreeSpace => new DriveInfo(_root).AvailableFreeSpace;

    /// <inheritdoc/>
    public long TotalSpace => new DriveInfo(_root).TotalSize;

    /// <inheritdoc/>
    public IStorageFile Create(string path) => new PhysicalFile(path, Full(path), FileMode.CreateNew, writable: true);

    /// <inheritdoc/>
    public IStorageFile CreatePrivate(string path)
    {
        var full = Full(path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        new FileStream(full, options).Dispose();
        return new PhysicalFile(path, full, FileMode.Open, writable: true);
    }

    /// <inheritdoc/>
    public IStorageFile Open(string path, bool writable) => new PhysicalFile(path, Full(path), FileMode.Open, writable);

    /// <inheritdoc/>
    public bool Exists(string path) => File.Exists(Full(path));

    /// <inheritdoc/>
    public void Delete(string path) => File.Delete(Full(path));

    /// <inheritdoc/>
    public void CreateDirectory(string path) => System.IO.Directory.CreateDirectory(Full(path));

    /// <inheritdoc/>
    public IReadOnlyList<string> ListFiles(string directory, string suffix)
    {
        var full = Full(directory);
        if (!System.IO.Directory.Exists(full))
        {
            return [];
        }

        var names = System.IO.Directory.EnumerateFiles(full, "*" + suffix).Select(System.IO.Path.GetFileName).ToList();
        names.Sort(StringComparer.Ordinal);
        return names!;
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> ListDirectories(string directory)
    {
        var full = Full(directory);
        if (!System.IO.Directory.Exists(full))
        {
            return [];
        }

        var names = System.IO.Directory.EnumerateDirectories(full).Select(System.IO.Path.GetFileName).ToList();
        names.Sort(StringComparer.Ordinal);
        return names!;
    }

    /// <inheritdoc/>
    public void SyncDirectory(string directory) => Posix.SyncDirectory(Full(directory));

    private string Full(string path)
    {
        var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(_root, path));
        // Paths are built from internal ids, but a bug must never reach outside the data folder.
        if (!full.StartsWith(_root, StringComparison.Ordinal))
        {
            throw new ArgumentException($"path {path} escapes the data folder", nameof(path));
        }

        return full;
    }

    private sealed class PhysicalFile : IStorageFile
    {
        /// <summary>Written bytes are handed to the disk once this many are waiting (see <see cref="Write"/>).</summary>
        private const long WritebackBytes = 1 << 20;

        private readonly SafeFileHandle _handle;
        private readonly string _full;
        private long _writebackFrom;
        private long _writebackTo;

        public PhysicalFile(string path, string full, FileMode mode, bool writable)
        {
            Path = path;
            _full = full;
            _handle = File.OpenHandle(full, mode, writable ? FileAccess.ReadWrite : FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }

        public string Path { get; }

        public long Length => RandomAccess.GetLength(_handle);

        public void Write(ReadOnlySpan<byte> data, long offset)
        {
            try
            {
                RandomAccess.Write(_handle, data, offset);
            }
            catch (IOException e) when (Posix.IsDiskFull(e) && e is not DiskFullException)
            {
                throw new DiskFullException($"{Path}: no space left on device", e);
            }

            StartWriteback(offset, offset + data.Length);
        }

        /// <summary>
        /// Starts writing the bytes just written to the disk without waiting (sync_file_range WRITE), a megabyte at a
        /// time, so that a commit's fdatasync finds most of them already written instead of starting all of them at
        /// once: the sync (and the append→PERSISTED latency) then costs what arrived since the last megabyte, not the
        /// whole commit window. Durability still comes only from <see cref="Sync"/>.
        /// </summary>
        private void StartWriteback(long start, long end)
        {
            if (start < _writebackFrom || start > _writebackTo)
            {
                // Not a continuation of the pending range (a rewrite, or the first write): start a new range.
                _writebackFrom = start;
                _writebackTo = start;
            }

            _writebackTo = Math.Max(_writebackTo, end);
            if (_writebackTo - _writebackFrom >= WritebackBytes)
            {
                Posix.StartWriteback(_handle, _writebackFrom, _writebackTo - _writebackFrom);
                _writebackFrom = _writebackTo;
            }
        }

        public int Read(Span<byte> buffer, long offset) => RandomAccess.Read(_handle, buffer, offset);

        public void Sync() => Posix.DataSync(_handle, _full);

        public void Truncate(long length) => RandomAccess.SetLength(_handle, length);

        public void Dispose() => _handle.Dispose();
    }
}
