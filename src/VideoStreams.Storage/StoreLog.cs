using Microsoft.Extensions.Logging;

namespace VideoStreams.Storage;

/// <summary>The store's log messages; event ids are stable (1xxx).</summary>
internal static partial class StoreLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Store opened at {Folder}: {Fragments} fragments recovered from {Chunks} chunks, {TornBytes} torn bytes cut, in {ElapsedMs} ms")]
    public static partial void Opened(ILogger logger, string folder, long fragments, int chunks, long tornBytes, long elapsedMs);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Cut a torn tail of {Bytes} bytes off {Chunk} at byte {Offset}: {Reason}")]
    public static partial void TornTail(ILogger logger, string chunk, long offset, long bytes, string reason);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "Corrupt record in {Chunk} at byte {Offset}: {Reason}; fragments after it are not indexed")]
    public static partial void CorruptChunk(ILogger logger, string chunk, long offset, string reason);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "Commit of {Fragments} fragments failed: {Reason}")]
    public static partial void CommitFailed(ILogger logger, int fragments, string reason);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "Append to stream {StreamId} failed: {Reason}")]
    public static partial void AppendFailed(ILogger logger, long streamId, string reason);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "Control log compacted: {Superseded} superseded chunks wiped and deleted")]
    public static partial void ControlCompacted(ILogger logger, int superseded);
}
