using Microsoft.Extensions.Logging;

namespace VideoStreams.Producer.Upload;

/// <summary>The uploader's log messages. Event ids 7300–7399 are the uploader's.</summary>
internal static partial class UploaderLog
{
    [LoggerMessage(EventId = 7300, Level = LogLevel.Information,
        Message = "Upload {Stream}: PutMedia session {Session} started at {Url}, from fragment {FirstSequence} ({PendingFragments} pending)")]
    public static partial void SessionStarted(ILogger logger, string stream, long session, Uri url, long firstSequence, int pendingFragments);

    [LoggerMessage(EventId = 7301, Level = LogLevel.Information,
        Message = "Upload {Stream}: PutMedia session {Session} ended ({Reason}): {Sent} fragment(s) sent, {Released} released, {Skipped} skipped, {Bytes} bytes")]
    public static partial void SessionEnded(ILogger logger, string stream, long session, string reason, int sent, int released, int skipped, long bytes);

    [LoggerMessage(EventId = 7302, Level = LogLevel.Warning,
        Message = "Upload {Stream}: reconnecting in {Delay} (attempt {Attempt}): {Cause}")]
    public static partial void Reconnecting(ILogger logger, string stream, TimeSpan delay, int attempt, string cause);

    [LoggerMessage(EventId = 7303, Level = LogLevel.Warning,
        Message = "Upload {Stream}: session {Session} stalled: no ack for {Quiet} with {InFlight} fragment(s) in flight; abandoning it")]
    public static partial void Stalled(ILogger logger, string stream, long session, TimeSpan quiet, int inFlight);

    [LoggerMessage(EventId = 7304, Level = LogLevel.Error,
        Message = "Upload {Stream}: skipped fragment {Sequence} (timecode {Timecode}): the server refuses it with {ErrorId} {ErrorCode}; it will not be sent again")]
    public static partial void Skipped(ILogger logger, string stream, long sequence, long timecode, int errorId, string errorCode);

    [LoggerMessage(EventId = 7305, Level = LogLevel.Critical,
        Message = "Upload {Stream}: refused for good: {Status} {ErrorType}: {Message}")]
    public static partial void Fatal(ILogger logger, string stream, int status, string errorType, string message);

    [LoggerMessage(EventId = 7306, Level = LogLevel.Warning,
        Message = "Upload {Stream}: the server answered {ErrorId} {ErrorCode} for timecode {Timecode}; starting a new session")]
    public static partial void RetryableError(ILogger logger, string stream, int errorId, string errorCode, long? timecode);

    [LoggerMessage(EventId = 7307, Level = LogLevel.Warning,
        Message = "Upload {Stream}: latency pressure: {Pending} fragment(s), {PendingBytes} bytes waiting, the oldest for {OldestAge}")]
    public static partial void PressureStarted(ILogger logger, string stream, int pending, long pendingBytes, TimeSpan oldestAge);

    [LoggerMessage(EventId = 7308, Level = LogLevel.Information,
        Message = "Upload {Stream}: latency pressure relieved: {Pending} fragment(s) waiting, the oldest for {OldestAge}")]
    public static partial void PressureRelieved(ILogger logger, string stream, int pending, TimeSpan oldestAge);

    [LoggerMessage(EventId = 7309, Level = LogLevel.Information,
        Message = "Upload {Stream}: fragment {Sequence} has a new stream header; ending session {Session} to start one with it")]
    public static partial void HeaderChanged(ILogger logger, string stream, long sequence, long session);

    [LoggerMessage(EventId = 7310, Level = LogLevel.Debug,
        Message = "Upload {Stream}: ignored a {Type} ack for timecode {Timecode}, which is not in flight")]
    public static partial void UnmatchedAck(ILogger logger, string stream, PutMediaAckType type, long? timecode);

    [LoggerMessage(EventId = 7311, Level = LogLevel.Information,
        Message = "Upload {Stream}: stopping; {InFlight} fragment(s) still unacknowledged stay in the spool")]
    public static partial void Stopped(ILogger logger, string stream, int inFlight);
}
