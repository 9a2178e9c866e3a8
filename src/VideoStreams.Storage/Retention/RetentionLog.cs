using Microsoft.Extensions.Logging;

namespace VideoStreams.Storage.Retention;

/// <summary>Retention's log messages; event ids are stable (22xx: 20xx is the catalog's, 21xx the index's).</summary>
internal static partial class RetentionLog
{
    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Chunk {ChunkId} of log {LogClass} expired: {Bytes} bytes deleted, its newest fragment from {NewestServerTimestampMs} (server ms)")]
    public static partial void ChunkExpired(ILogger logger, long chunkId, string logClass, long bytes, long newestServerTimestampMs);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Debug, Message = "{Count} fragments of stream {StreamId} passed its retention of {RetentionHours} h")]
    public static partial void FragmentsExpired(ILogger logger, long streamId, long count, int retentionHours);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Warning, Message = "Disk nearly full ({FreeBytes} bytes free, low watermark {LowWatermark}): evicted chunk {ChunkId} of log {LogClass}, {Bytes} bytes with fragments up to {NewestServerTimestampMs} (server ms), before their retention")]
    public static partial void ChunkEvicted(ILogger logger, long chunkId, string logClass, long bytes, long newestServerTimestampMs, long freeBytes, long lowWatermark);

    [LoggerMessage(EventId = 2204, Level = LogLevel.Information, Message = "Sealed the logs' current chunks so that their data can go ({Reason})")]
    public static partial void CurrentChunksSealed(ILogger logger, string reason);

    [LoggerMessage(EventId = 2205, Level = LogLevel.Error, Message = "Free space is {FreeBytes} bytes, below the high watermark {HighWatermark}, and nothing is left to evict")]
    public static partial void NothingLeftToEvict(ILogger logger, long freeBytes, long highWatermark);

    [LoggerMessage(EventId = 2206, Level = LogLevel.Error, Message = "Retention pass failed: {Reason}; the next pass tries again")]
    public static partial void PassFailed(ILogger logger, string reason, Exception exception);

    [LoggerMessage(EventId = 2207, Level = LogLevel.Information, Message = "Retention of stream {StreamId} decreased to {RetentionHours} h: {Removed} older fragments removed at once")]
    public static partial void RetentionDecreased(ILogger logger, long streamId, int retentionHours, long removed);

    [LoggerMessage(EventId = 2208, Level = LogLevel.Warning, Message = "Retention of stream {StreamId} decreased, but its older fragments could not be removed yet: {Reason}; the retention service removes them")]
    public static partial void RetentionDecreaseFailed(ILogger logger, long streamId, string reason);
}
