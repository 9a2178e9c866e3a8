using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace VideoStreams.Storage.Files;

/// <summary>
/// The two durability calls .NET does not expose on a plain file handle: fdatasync on a file and fsync on a directory
/// (without which a new file's directory entry can vanish in a power cut even though its data was synced).
/// </summary>
internal static partial class Posix
{
    private const int ReadOnly = 0;
    private const int Directory = 0x10000; // O_DIRECTORY on Linux
    private const int ENOSPC = 28;
    private const uint SyncFileRangeWrite = 2; // SYNC_FILE_RANGE_WRITE

    public static void DataSync(SafeFileHandle handle, string path)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (fdatasync((int)handle.DangerousGetHandle()) != 0)
            {
                throw Failure("fdatasync", path, Marshal.GetLastPInvokeError());
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Asks the kernel to start writing a range of the file's dirty pages to the disk and returns without waiting
    /// (sync_file_range with SYNC_FILE_RANGE_WRITE). A hint only: it makes nothing durable, and a failure is ignored
    /// because the next fdatasync reports any real I/O error.
    /// </summary>
    public static void StartWriteback(SafeFileHandle handle, long offset, long length)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            _ = sync_file_range((int)handle.DangerousGetHandle(), offset, length, SyncFileRangeWrite);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    public static void SyncDirectory(string path)
    {
        var fd = open(path, ReadOnly | Directory);
        if (fd < 0)
        {
            throw Failure("open", path, Marshal.GetLastPInvokeError());
        }

        try
        {
            if (fsync(fd) != 0)
            {
                throw Failure("fsync", path, Marshal.GetLastPInvokeError());
            }
        }
        finally
        {
            _ = close(fd);
        }
    }

    public static bool IsDiskFull(IOException e) =>
        e is DiskFullException || (e.HResult & 0xFFFF) is ENOSPC or 0x70 or 0x27 || e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase);

    private static IOException Failure(string call, string path, int errno) =>
        errno == ENOSPC ? new DiskFullException($"{call} {path}: no space left on device") : new IOException($"{call} {path} failed (errno {errno})");

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fdatasync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sync_file_range(int fd, long offset, long nbytes, uint flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
