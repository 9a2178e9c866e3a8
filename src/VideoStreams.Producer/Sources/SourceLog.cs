using Microsoft.Extensions.Logging;

namespace VideoStreams.Producer.Sources;

/// <summary>Log messages of the video sources (event ids 7200–7249) and the encoder (7250–7299).</summary>
internal static partial class SourceLog
{
    [LoggerMessage(EventId = 7200, Level = LogLevel.Information, Message = "Source {Source}: opened ({Details})")]
    public static partial void Opened(ILogger logger, string source, string details);

    [LoggerMessage(EventId = 7201, Level = LogLevel.Error, Message = "Source {Source}: failed: {Reason}")]
    public static partial void Failed(ILogger logger, string source, string reason);

    [LoggerMessage(EventId = 7202, Level = LogLevel.Information,
        Message = "Source {Source}: reached the end, looping (loop {Loop}, timestamps continue at +{OffsetMs} ms)")]
    public static partial void Looped(ILogger logger, string source, int loop, long offsetMs);

    [LoggerMessage(EventId = 7203, Level = LogLevel.Information, Message = "Source {Source}: ended after {Frames} frame(s)")]
    public static partial void Ended(ILogger logger, string source, long frames);

    [LoggerMessage(EventId = 7204, Level = LogLevel.Information, Message = "Source {Source}: stopped after {Frames} frame(s)")]
    public static partial void Stopped(ILogger logger, string source, long frames);

    [LoggerMessage(EventId = 7205, Level = LogLevel.Warning,
        Message = "Source {Source}: the encoder is behind; {Dropped} raw frame(s) dropped so far")]
    public static partial void FramesDropped(ILogger logger, string source, long dropped);

    [LoggerMessage(EventId = 7250, Level = LogLevel.Information, Message = "Encoder for {Source}: started {Ffmpeg} {Arguments}")]
    public static partial void EncoderStarted(ILogger logger, string source, string ffmpeg, string arguments);

    [LoggerMessage(EventId = 7251, Level = LogLevel.Information, Message = "Encoder for {Source}: ffmpeg exited ({ExitCode}) after {AccessUnits} access unit(s)")]
    public static partial void EncoderExited(ILogger logger, string source, int exitCode, long accessUnits);

    [LoggerMessage(EventId = 7252, Level = LogLevel.Error, Message = "Encoder for {Source}: ffmpeg failed ({ExitCode}): {Stderr}")]
    public static partial void EncoderFailed(ILogger logger, string source, int exitCode, string stderr);

    [LoggerMessage(EventId = 7253, Level = LogLevel.Information, Message = "Remuxer for {Source}: started {Ffmpeg} {Arguments}")]
    public static partial void RemuxStarted(ILogger logger, string source, string ffmpeg, string arguments);
}
