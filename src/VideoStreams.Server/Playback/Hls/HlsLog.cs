namespace VideoStreams.Server.Playback.Hls;

/// <summary>HLS session log messages (event ids 5400–5419; low-latency 5420–5449 below).</summary>
internal static partial class HlsLog
{
    [LoggerMessage(EventId = 5400, Level = LogLevel.Information, Message = "HLS session {SessionId:x16} created: stream {StreamId}, {Mode}, expires in {ExpiresSeconds} s")]
    public static partial void SessionCreated(ILogger logger, long sessionId, long streamId, string mode, long expiresSeconds);

    [LoggerMessage(EventId = 5401, Level = LogLevel.Information, Message = "HLS {Resource} {RequestId} refused: session token {Problem}")]
    public static partial void TokenRefused(ILogger logger, string resource, string requestId, HlsTokenProblem problem);

    [LoggerMessage(EventId = 5402, Level = LogLevel.Information, Message = "HLS {Resource} {RequestId} of session {SessionId:x16} refused: {ErrorType}: {ErrorMessage}")]
    public static partial void Refused(ILogger logger, string resource, string requestId, long sessionId, string errorType, string errorMessage);

    [LoggerMessage(EventId = 5403, Level = LogLevel.Error, Message = "HLS {Resource} {RequestId} failed")]
    public static partial void Failed(ILogger logger, Exception exception, string resource, string requestId);
}

// Low-latency HLS log messages (event ids 5420–5449).
internal static partial class HlsLog
{
    [LoggerMessage(EventId = 5420, Level = LogLevel.Information, Message = "LL-HLS channel of stream {StreamId} started (parts of {PartTargetMs} ms)")]
    public static partial void ChannelStarted(ILogger logger, long streamId, int partTargetMs);

    [LoggerMessage(EventId = 5421, Level = LogLevel.Information, Message = "LL-HLS channel of stream {StreamId} stopped: no request for its idle timeout")]
    public static partial void ChannelStopped(ILogger logger, long streamId);

    [LoggerMessage(EventId = 5422, Level = LogLevel.Warning, Message = "LL-HLS channel of stream {StreamId} fell behind the live hub and subscribed again (discontinuity)")]
    public static partial void ChannelResubscribed(ILogger logger, long streamId);

    [LoggerMessage(EventId = 5423, Level = LogLevel.Warning, Message = "LL-HLS channel of stream {StreamId} cannot package the session's media: {Reason}")]
    public static partial void ChannelUnsupported(ILogger logger, long streamId, string reason);

    [LoggerMessage(EventId = 5424, Level = LogLevel.Error, Message = "LL-HLS channel of stream {StreamId} failed; subscribing again")]
    public static partial void ChannelFailed(ILogger logger, Exception exception, long streamId);
}
