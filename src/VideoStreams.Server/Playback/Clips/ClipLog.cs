namespace VideoStreams.Server.Playback.Clips;

internal static partial class ClipLog
{
    [LoggerMessage(EventId = 5450, Level = LogLevel.Information,
        Message = "Clip of stream {StreamId} planned: {Fragments} fragments, {Bytes} bytes, {Samples} samples in {ElapsedMs} ms")]
    public static partial void Planned(ILogger logger, long streamId, int fragments, long bytes, int samples, long elapsedMs);

    [LoggerMessage(EventId = 5451, Level = LogLevel.Information, Message = "Clip request refused: {ErrorType}: {ErrorMessage}")]
    public static partial void Refused(ILogger logger, string errorType, string errorMessage);

    [LoggerMessage(EventId = 5452, Level = LogLevel.Information,
        Message = "Clip of stream {StreamId} stops at fragment {FragmentNumber}: its tracks differ from the clip's")]
    public static partial void CutAtTrackChange(ILogger logger, long streamId, long fragmentNumber);

    [LoggerMessage(EventId = 5453, Level = LogLevel.Debug, Message = "Clip {ETag}: bytes {Start}-{End} of {Size}, {FragmentsRead} fragments read")]
    public static partial void Served(ILogger logger, string etag, long start, long end, long size, int fragmentsRead);

    [LoggerMessage(EventId = 5454, Level = LogLevel.Error, Message = "Clip {ETag} failed while streaming")]
    public static partial void Failed(ILogger logger, Exception exception, string etag);
}
