using VideoStreams.Storage.Files;

namespace VideoStreams.Server.Tests.Ingest;

/// <summary>
/// The real file system, except that while <see cref="Stall"/> is on every sync waits — a disk that stopped keeping
/// up. Nothing is lost or faked: writes go to the disk, they only stop becoming durable until <see cref="Resume"/>.
/// </summary>
internal sealed class StalledDisk(string root) : IStorageFileSystem
{
    private readonly PhysicalFileSystem _disk = new(root);
    private volatile TaskCompletionSource _flowing = Flowing();

    public void Stall() => _flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Resume() => _flowing.TrySetResult();

    private void WaitForFlow() => _flowing.Task.Wait(TimeSpan.FromMinutes(2));

    private static TaskCompletionSource Flowing()
    {
        var flowing = new TaskCompletionSource();
        flowing.SetResult();
        return flowing;
    }

    public IStorageFile Create(string path) => new File(_disk.Create(path), this);

    public IStorageFile CreatePrivate(string path) => new File(_disk.CreatePrivate(path), this);

    public IStorageFile Open(string path, bool writable) => new File(_disk.Open(path, writable), this);

    public bool Exists(string path) => _disk.Exists(path);

    public void Delete(string path) => _disk.Delete(path);

    public void CreateDirectory(string path) => _disk.CreateDirectory(path);

    public IReadOnlyList<string> ListFiles(string directory, string suffix) => _disk.ListFiles(directory, suffix);

    public IReadOnlyList<string> ListDirectories(string directory) => _disk.ListDirectories(directory);

    public void SyncDirectory(string directory)
    {
        WaitForFlow();
        _disk.SyncDirectory(directory);
    }

    public long AvailableFreeSpace => _disk.AvailableFreeSpace;

    public long TotalSpace => _disk.TotalSpace;

    private sealed class File(IStorageFile inner, StalledDisk disk) : IStorageFile
    {
        public string Path => inner.Path;

        public long Length => inner.Length;

        public void Write(ReadOnlySpan<byte> data, long offset) => inner.Write(data, offset);

        public int Read(Span<byte> buffer, long offset) => inner.Read(buffer, offset);

        public void Sync()
        {
            disk.WaitForFlow();
            inner.Sync();
        }

        public void Truncate(long length) => inner.Truncate(length);

        public void Dispose() => inner.Dispose();
    }
}
