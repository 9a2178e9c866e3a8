using System.Diagnostics;
using VideoStreams.Storage.Files;

namespace VideoStreams.Benchmarks.Store;

/// <summary>
/// The real file layer with counters: how many file syncs (fdatasync) and directory syncs (fsync) the store issues, and
/// how long it spends in them. Counters are read by the scenario thread while the commit thread syncs.
/// </summary>
internal sealed class CountingFileSystem(IStorageFileSystem inner) : IStorageFileSystem
{
    private long _fileSyncs;
    private long _directorySyncs;
    private long _syncTicks;
    private long _bytesWritten;

    public long FileSyncs => Interlocked.Read(ref _fileSyncs);

    public long DirectorySyncs => Interlocked.Read(ref _directorySyncs);

    public long Syncs => FileSyncs + DirectorySyncs;

    public TimeSpan SyncTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _syncTicks));

    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    public long AvailableFreeSpace => inner.AvailableFreeSpace;

    public long TotalSpace => inner.TotalSpace;

    public IStorageFile Create(string path) => new CountingFile(this, inner.Create(path));

    public IStorageFile Open(string path, bool writable) => new CountingFile(this, inner.Open(path, writable));

    public bool Exists(string path) => inner.Exists(path);

    public void Delete(string path) => inner.Delete(path);

    public void CreateDirectory(string path) => inner.CreateDirectory(path);

    public IReadOnlyList<string> ListFiles(string directory, string suffix) => inner.ListFiles(directory, suffix);

    public IReadOnlyList<string> ListDirectories(string directory) => inner.ListDirectories(directory);

    public void SyncDirectory(string directory)
    {
        var start = Stopwatch.GetTimestamp();
        inner.SyncDirectory(directory);
        Interlocked.Add(ref _syncTicks, Stopwatch.GetTimestamp() - start);
        Interlocked.Increment(ref _directorySyncs);
    }

    private sealed class CountingFile(CountingFileSystem owner, IStorageFile inner) : IStorageFile
    {
        public string Path => inner.Path;

        public long Length => inner.Length;

        public void Write(ReadOnlySpan<byte> data, long offset)
        {
            inner.Write(data, offset);
            Interlocked.Add(ref owner._bytesWritten, data.Length);
        }

        public int Read(Span<byte> buffer, long offset) => inner.Read(buffer, offset);

        public void Sync()
        {
            var start = Stopwatch.GetTimestamp();
            inner.Sync();
            Interlocked.Add(ref owner._syncTicks, Stopwatch.GetTimestamp() - start);
            Interlocked.Increment(ref owner._fileSyncs);
        }

        public void Truncate(long length) => inner.Truncate(length);

        public void Dispose() => inner.Dispose();
    }
}
