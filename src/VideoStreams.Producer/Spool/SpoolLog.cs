using Microsoft.Extensions.Logging;

namespace VideoStreams.Producer.Spool;

/// <summary>The spool's log messages. Event ids 7100–7199 are the producer spool's.</summary>
internal static partial class SpoolLog
{
    [LoggerMessage(EventId = 7100, Level = LogLevel.Information,
        Message = "Spool {Spool}: recovered {Segments} segment file(s), {Pending} fragment(s) to replay ({PendingBytes} bytes), next sequence {NextSequence}")]
    public static partial void Recovered(ILogger logger, string spool, int segments, int pending, long pendingBytes, long nextSequence);

    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning,
        Message = "Spool {Spool}: cut a torn record at the end of {File} (offset {Offset}, {Bytes} bytes): written when the process or machine stopped")]
    public static partial void TornTailCut(ILogger logger, string spool, string file, long offset, long bytes);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Error,
        Message = "Spool {Spool}: skipped a corrupt record in {File} at offset {Offset} ({Bytes} bytes up to the next good record): its fragment cannot be replayed")]
    public static partial void CorruptRecordSkipped(ILogger logger, string spool, string file, long offset, long bytes);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Error,
        Message = "Spool {Spool}: segment file {File} is unreadable ({Reason}); set aside as {CorruptFile}")]
    public static partial void SegmentSetAside(ILogger logger, string spool, string file, string reason, string corruptFile);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Warning,
        Message = "Spool {Spool}: full ({Bytes} of {MaxBytes} bytes); dropped the oldest segment {File} with {Fragments} unacknowledged fragment(s), sequences {FirstSequence}–{LastSequence}")]
    public static partial void OverflowDropped(ILogger logger, string spool, long bytes, long maxBytes, string file, int fragments, long firstSequence, long lastSequence);

    [LoggerMessage(EventId = 7105, Level = LogLevel.Warning,
        Message = "Spool {Spool}: dropped {Fragments} unacknowledged fragment(s) older than {MaxAge}, sequences {FirstSequence}–{LastSequence}")]
    public static partial void AgeDropped(ILogger logger, string spool, int fragments, TimeSpan maxAge, long firstSequence, long lastSequence);

    [LoggerMessage(EventId = 7106, Level = LogLevel.Warning,
        Message = "Spool {Spool}: full ({Bytes} of {MaxBytes} bytes); refused fragment {Sequence} (overflow policy RejectNew)")]
    public static partial void Rejected(ILogger logger, string spool, long bytes, long maxBytes, long sequence);

    [LoggerMessage(EventId = 7107, Level = LogLevel.Error,
        Message = "Spool {Spool}: record of fragment {Sequence} in {File} failed its checksum when read back; dropped")]
    public static partial void CorruptOnRead(ILogger logger, string spool, long sequence, string file);

    [LoggerMessage(EventId = 7108, Level = LogLevel.Warning,
        Message = "Spool {Spool}: the disk is full writing fragment {Sequence} (spool holds {Bytes} bytes); dropping the oldest segment: {WillDrop}")]
    public static partial void DiskFull(ILogger logger, string spool, long sequence, long bytes, bool willDrop);
}
