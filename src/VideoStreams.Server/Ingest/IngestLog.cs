namespace VideoStreams.Server.Ingest;

/// <summary>PutMedia log messages (event ids 5201–5219).</summary>
internal static partial class IngestLog
{
    [LoggerMessage(EventId = 5201, Level = LogLevel.Information, Message = "PutMedia {RequestId} for stream {Stream} started ({TimecodeType})")]
    public static partial void SessionStarted(ILogger logger, string requestId, string stream, string timecodeType);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Information, Message = "PutMedia {RequestId} for stream {Stream} ended ({Reason}): {Fragments} fragments, {Bytes} bytes")]
    public static partial void SessionEnded(ILogger logger, string requestId, string stream, string reason, long fragments, long bytes);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Information, Message = "PutMedia {RequestId} for stream {Stream} is taken over by a newer session")]
    public static partial void TakenOver(ILogger logger, string requestId, string stream);

    [LoggerMessage(EventId = 5204, Level = LogLevel.Information, Message = "PutMedia {RequestId}: fragment at timecode {Timecode} rejected: {ErrorCode} ({Detail})")]
    public static partial void FragmentRejected(ILogger logger, string requestId, long timecode, AckErrorId errorCode, string detail);

    [LoggerMessage(EventId = 5205, Level = LogLevel.Warning, Message = "PutMedia {RequestId}: the stream is not valid MKV at byte {Offset}: {Detail}")]
    public static partial void Malformed(ILogger logger, string requestId, long offset, string detail);

    [LoggerMessage(EventId = 5206, Level = LogLevel.Error, Message = "PutMedia {RequestId}: storing a fragment failed: {Detail}")]
    public static partial void StoreFailed(ILogger logger, string requestId, string detail);

    [LoggerMessage(EventId = 5207, Level = LogLevel.Debug, Message = "PutMedia {RequestId}: resent fragment at {ProducerTimestampMs} is fragment {Number} already")]
    public static partial void Duplicate(ILogger logger, string requestId, long producerTimestampMs, long number);
}
