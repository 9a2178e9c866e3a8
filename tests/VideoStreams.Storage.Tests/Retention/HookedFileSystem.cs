using VideoStreams.Storage.Files;
using VideoStreams.Storage.Tests.Files;

namespace VideoStreams.Storage.Tests.Retention;

/// <summary>
/// A <see cref="SimulatedFileSystem"/> with hooks between the store's steps: a delete or a directory sync that fails
/// as a crash at that moment would leave things, and a read that waits (a reader caught in the middle of a record).
/// </summary>
internal sealed class HookedFileSystem(SimulatedFileSystem disk) : IStorageFileSystem
{
    public SimulatedFileSystem Disk { get; private set; } = disk;

    /// <summary>Deleting a file this matches throws, leaving the file in place.</summary>
    public Func<string, bool>? FailDelete { get; set; }

    /// <summary>Syncing a directory this matches throws, leaving its changes not durable.</summary>
    public Func<string, bool>? FailSyncDirectory { get; set; }

    /// <summary>When set, the next read of a record (past the chunk header) of this file waits for the gate.</summary>
    public ReadGate? Gate { get; set; }

    public long AvailableFreeSpace => Disk.AvailableFreeSpace;

    public long TotalSpace => Disk.TotalSpace;

    /// <summary>What a power cut leaves, and the hooks go on over it (as the next process sees the disk).</summary>
    public void CutPower()
    {
        Disk = Disk.PowerCut();
        FailDelete = null;
        FailSyncDirectory = null;
    }

    public IStorageFile Create(string path) => new HookedFile(this, Disk.Create(path));

    public IStorageFile Open(string path, bool writable) => new HookedFile(this, Disk.Open(path, writable));

    public bool Exists(string path) => Disk.Exists(path);

    public void Delete(string path)
    {
        if (FailDelete?.Invoke(path) == true)
        {
            throw new IOException($"{path}: simulated crash before the delete");
        }

        Disk.Delete(path);
    }

    public void CreateDirectory(string path) => Disk.CreateDirectory(path);

    public IReadOnlyList<string> ListFiles(string directory, string suffix) => Disk.ListFiles(directory, suffix);

    public IReadOnlyList<string> ListDirectories(string directory) => Disk.ListDirectories(directory);

    public void SyncDirectory(string directory)
    {
        if (FailSyncDirectory?.Invoke(directory) == true)
        {
            throw new IOException($"{directory}: simulated crash before the directory sync");
        }

        Disk.SyncDirectory(directory);
    }

    private sealed class HookedFile(HookedFileSystem files, IStorageFile inner) : IStorageFile
    {
        public string Path => inner.Path;

        public long Length => inner.Length;

        public void Write(ReadOnlySpan<byte> data, long offset) => inner.Write(data, offset);

        public int Read(Span<byte> buffer, long offset)
        {
            if (offset > 0 && files.Gate is { } gate && gate.Path == Path)
            {
                files.Gate = null;
                gate.Entered.Set();
                gate.Release.Wait(TimeSpan.FromSeconds(30));
            }

            return inner.Read(buffer, offset);
        }

        public void Sync() => inner.Sync();

        public void Truncate(long length) => inner.Truncate(length);

        public void Dispose() => inner.Dispose();
    }
}

/// <summary>Holds one reader inside its read until released.</summary>
internal sealed class ReadGate(string path) : IDisposable
{
    public string Path { get; } = path;

    public ManualResetEventSlim Entered { get; } = new(false);

    public ManualResetEventSlim Release { get; } = new(false);

    public void Dispose()
    {
        Release.Set();
        Entered.Dispose();
        Release.Dispose();
    }
}
