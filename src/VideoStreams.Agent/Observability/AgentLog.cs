namespace VideoStreams.Agent.Observability;

/// <summary>The agent's log messages (event ids 7400–7499, stable: alerts may match on them).</summary>
internal static partial class AgentLog
{
    [LoggerMessage(7400, LogLevel.Information, "Device {Device}: streaming {Source} to {Stream} at {Url}")]
    public static partial void Streaming(ILogger logger, string device, string source, string stream, Uri url);

    [LoggerMessage(7401, LogLevel.Information, "Device {Device}: spool {Path} open: {Pending} fragments ({PendingBytes} bytes) waiting from before; next sequence {Next}")]
    public static partial void SpoolOpened(ILogger logger, string device, string path, int pending, long pendingBytes, long next);

    [LoggerMessage(7402, LogLevel.Information, "Device {Device}: stream {Stream} is on {Url} (retention {RetentionHours} h)")]
    public static partial void StreamFound(ILogger logger, string device, string stream, Uri url, int retentionHours);

    [LoggerMessage(7403, LogLevel.Information, "Device {Device}: created stream {Stream} on {Url} (retention {RetentionHours} h)")]
    public static partial void StreamCreated(ILogger logger, string device, string stream, Uri url, int retentionHours);

    [LoggerMessage(7404, LogLevel.Warning, "Device {Device}: {Url} not reachable yet ({Cause}); trying again until the start-up timeout")]
    public static partial void ServerNotReachableYet(ILogger logger, string device, Uri url, string cause);

    [LoggerMessage(7405, LogLevel.Information, "Device {Device}: stream {Stream} keeps no data (retention 0): fragments leave the spool on RECEIVED")]
    public static partial void RetentionZero(ILogger logger, string device, string stream);

    [LoggerMessage(7406, LogLevel.Information, "Device {Device}: source started: {Source}")]
    public static partial void SourceStarted(ILogger logger, string device, string source);

    [LoggerMessage(7407, LogLevel.Information, "Device {Device}: uploading to {Url} ({Pending} fragments pending)")]
    public static partial void Uploading(ILogger logger, string device, Uri url, int pending);

    [LoggerMessage(7410, LogLevel.Warning, "Device {Device}: fragment {Sequence} ({TimestampMs}) not spooled: {Status}; it is lost")]
    public static partial void SpoolRefused(ILogger logger, string device, long sequence, long timestampMs, string status);

    [LoggerMessage(7411, LogLevel.Warning, "Device {Device}: spool full: dropped the {Count} oldest unsent fragments to keep recording")]
    public static partial void SpoolDropped(ILogger logger, string device, int count);

    [LoggerMessage(7412, LogLevel.Error, "Device {Device}: fragment {Sequence} could not be written to the spool: {Cause}; it is lost")]
    public static partial void SpoolWriteFailed(ILogger logger, string device, long sequence, string cause);

    [LoggerMessage(7420, LogLevel.Warning, "Device {Device}: source failed: {Cause}; restarting it in {Delay}")]
    public static partial void SourceFailed(ILogger logger, string device, string cause, TimeSpan delay);

    [LoggerMessage(7421, LogLevel.Information, "Device {Device}: source ended (the file was played once); uploading what is left")]
    public static partial void SourceEnded(ILogger logger, string device);

    [LoggerMessage(7422, LogLevel.Information, "Device {Device}: everything sent; device finished")]
    public static partial void DeviceFinished(ILogger logger, string device);

    [LoggerMessage(7430, LogLevel.Error, "Device {Device}: the server refused the upload for good: {Cause}")]
    public static partial void UploadRefused(ILogger logger, string device, string cause);

    [LoggerMessage(7431, LogLevel.Warning, "Device {Device}: uploader failed unexpectedly: {Cause}; restarting it in {Delay}")]
    public static partial void UploaderFailed(ILogger logger, string device, string cause, TimeSpan delay);

    [LoggerMessage(7440, LogLevel.Information, "Stop requested: stopping {Devices} device(s)")]
    public static partial void StopRequested(ILogger logger, int devices);

    [LoggerMessage(7441, LogLevel.Information, "Device {Device}: source stopped")]
    public static partial void SourceStopped(ILogger logger, string device);

    [LoggerMessage(7442, LogLevel.Information, "Device {Device}: fragment in progress spooled: sequence {Sequence}, timestamp {TimestampMs}, {Frames} frames, {DurationMs} ms")]
    public static partial void FlushedFragment(ILogger logger, string device, long sequence, long timestampMs, int frames, long durationMs);

    [LoggerMessage(7443, LogLevel.Information, "Device {Device}: no fragment in progress")]
    public static partial void NothingToFlush(ILogger logger, string device);

    [LoggerMessage(7444, LogLevel.Information, "Device {Device}: all fragments sent")]
    public static partial void Drained(ILogger logger, string device);

    [LoggerMessage(7445, LogLevel.Information, "Device {Device}: {Pending} fragments not yet acknowledged after {Wait}; they stay in the spool for the next start")]
    public static partial void NotDrained(ILogger logger, string device, int pending, TimeSpan wait);

    [LoggerMessage(7446, LogLevel.Information, "Device {Device}: uploader stopped")]
    public static partial void UploaderStopped(ILogger logger, string device);

    [LoggerMessage(7447, LogLevel.Information, "Device {Device}: spool closed ({Pending} fragments pending)")]
    public static partial void SpoolClosed(ILogger logger, string device, int pending);

    [LoggerMessage(7448, LogLevel.Warning, "Device {Device}: the {Part} did not stop within {Wait}; going on")]
    public static partial void StopTimedOut(ILogger logger, string device, string part, TimeSpan wait);

    [LoggerMessage(7449, LogLevel.Information, "vs-agent stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(7450, LogLevel.Information, "Metrics on {Urls}")]
    public static partial void MetricsListening(ILogger logger, string urls);

    [LoggerMessage(7460, LogLevel.Error, "{Message}")]
    public static partial void Fatal(ILogger logger, string message);
}
