using System.Runtime.InteropServices;

namespace VideoStreams.Producer.Spool;

/// <summary>
/// fsync of a directory, so that a newly created or deleted segment file survives a power cut (fsync of the file
/// alone does not make its directory entry durable). Linux only; elsewhere a no-op.
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0;
    private const int DirectoryFlag = 0x10000; // O_DIRECTORY on Linux

    public static void Sync(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = open(path, ReadOnly | DirectoryFlag);
        if (fd < 0)
        {
            throw new IOException($"open {path} failed (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (fsync(fd) != 0)
            {
                throw new IOException($"fsync {path} failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = close(fd);
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
