namespace VideoStreams.Server;

/// <summary>Host log messages (event ids 5001–5009).</summary>
internal static partial class ServerLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Store open in {DataDirectory}")]
    public static partial void StoreOpened(ILogger logger, string dataDirectory);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "VideoStreams listening on {Urls}; requests are accepted with any or no SigV4 credentials")]
    public static partial void Listening(ILogger logger, string urls);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Stopping: finishing requests in flight, then the store's last commit")]
    public static partial void Stopping(ILogger logger);
}
