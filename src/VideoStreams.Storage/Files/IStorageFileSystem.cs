namespace VideoStreams.Storage.Files;

/// <summary>
/// The store's only way to the disk. The real implementation is <see cref="PhysicalFileSystem"/>; tests put a fault
/// injecting one in its place (a full disk, failing writes, a power cut that loses whatever was not synced).
/// Paths are relative to the data folder and built by the store from internal ids, never from stream names.
/// </summary>
public interface IStorageFileSystem
{
    /// <summary>Creates a new, empty file (failing if it exists). Its directory entry is durable only after <see cref="SyncDirectory"/>.</summary>
    IStorageFile Create(string path);

    /// <summary>Creates a new, empty file that only its owner may read or write (mode 0600), for key material.</summary>
    IStorageFile CreatePrivate(string path) => Create(path);

    /// <summary>Opens an existing file.</summary>
    IStorageFile Open(string path, bool writable);

    /// <summary>True when the file exists.</summary>
    bool Exists(string path);

    /// <summary>Deletes a file; its removal is durable only after <see cref="SyncDirectory"/>.</summary>
    void Delete(string path);

    /// <summary>Creates a directory (and its parents) if missing.</summary>
    void CreateDirectory(string path);

    /// <summary>Names of the files directly in a directory whose names end with <paramref name="suffix"/>, sorted ordinally.</summary>
    IReadOnlyList<string> ListFiles(string directory, string suffix);

    /// <summary>Names of the directories directly in a directory, sorted ordinally.</summary>
    IReadOnlyList<string> ListDirectories(string directory);

    /// <summary>Makes the directory's entries (files created or deleted in it) durable.</summary>
    void SyncDirectory(string directory);

    /// <summary>Bytes available to us on the data folder's file system.</summary>
    long AvailableFreeSpace { get; }

    /// <summary>Total bytes of the data folder's file system.</summary>
    long TotalSpace { get; }
}

/// <summary>An open file. Writes are positional; nothing is durable until <see cref="Sync"/>.</summary>
public interface IStorageFile : IDisposable
{
    /// <summary>Its path, relative to the data folder.</summary>
    string Path { get; }

    /// <summary>Current length in bytes.</summary>
    long Length { get; }

    /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/>.</summary>
    /// <exception cref="DiskFullException">No space left.</exception>
    /// <exception cref="IOException">Any other write failure.</exception>
    void Write(ReadOnlySpan<byte> data, long offset);

    /// <summary>Reads up to <paramref name="buffer"/>'s length at <paramref name="offset"/>; returns bytes read (0 at the end).</summary>
    int Read(Span<byte> buffer, long offset);

    /// <summary>Makes the file's data durable (fdatasync).</summary>
    void Sync();

    /// <summary>Cuts the file to <paramref name="length"/> bytes.</summary>
    void Truncate(long length);
}

/// <summary>The file system has no space left for a write (ENOSPC).</summary>
public sealed class DiskFullException : IOException
{
    /// <summary>Creates the exception.</summary>
    public DiskFullException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
