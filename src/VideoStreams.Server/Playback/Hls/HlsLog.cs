namespace VideoStreams.Server.Playback.Hls;

/// <summary>HLS session log messages (event ids 5400–5449).</summary>
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
