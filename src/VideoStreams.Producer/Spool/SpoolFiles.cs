namespace VideoStreams.Producer.Spool;

/// <summary>
/// Creates the segment files the spool appends to. The seam through which tests inject a full disk; production uses
/// <see cref="SpoolFiles.Default"/>.
/// </summary>
internal interface ISpoolFiles
{
    /// <summary>Creates a new segment file for appending (unbuffered, readable by others, deletable while open).</summary>
    Stream Create(string path);
}

internal sealed class SpoolFiles : ISpoolFiles
{
    public static readonly SpoolFiles Default = new();

    public Stream Create(string path) =>
        new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0);

    /// <summary>fsync for a file stream; a plain flush for anything else (test doubles).</summary>
    public static void Sync(Stream stream)
    {
        if (stream is FileStream file)
        {
            file.Flush(flushToDisk: true);
        }
        else
        {
            stream.Flush();
        }
    }

    private const int Enospc = 28;

    /// <summary>ENOSPC (Linux), ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL (Windows).</summary>
    public static bool IsDiskFull(IOException e) =>
        (e.HResult & 0xFFFF) is Enospc or 0x70 or 0x27 || e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase);
}
