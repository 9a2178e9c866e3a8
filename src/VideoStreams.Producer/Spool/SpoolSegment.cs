using Microsoft.Win32.SafeHandles;

namespace VideoStreams.Producer.Spool;

/// <summary>One segment file, as the spool keeps track of it.</summary>
internal sealed class SpoolSegment(long number, string path, long baseSequence, long length) : IDisposable
{
    private SafeFileHandle? _readHandle;

    public long Number { get; } = number;

    public string Path { get; } = path;

    public string FileName => System.IO.Path.GetFileName(Path);

    /// <summary>The next sequence number when the file was created: keeps numbering monotonic once everything is acknowledged.</summary>
    public long BaseSequence { get; } = baseSequence;

    /// <summary>Bytes in the file.</summary>
    public long Length { get; set; } = length;

    /// <summary>Fragments in this file still waiting for an acknowledgement.</summary>
    public int Pending { get; set; }

    public SafeFileHandle ReadHandle =>
        _readHandle ??= File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);

    public void Dispose()
    {
        _readHandle?.Dispose();
        _readHandle = null;
    }
}

internal enum SpoolEntryState : byte
{
    Pending,
    Acknowledged,
    Dropped,
}

/// <summary>One fragment record: where it is and whether it still has to be sent.</summary>
internal sealed class SpoolEntry(long sequence, long timestampMs, long spooledAtMs, SpoolSegment segment, long offset, int recordLength)
{
    public long Sequence { get; } = sequence;

    public long TimestampMs { get; } = timestampMs;

    public long SpooledAtMs { get; } = spooledAtMs;

    public SpoolSegment Segment { get; } = segment;

    public long Offset { get; } = offset;

    public int RecordLength { get; } = recordLength;

    public SpoolEntryState State { get; set; }
}
