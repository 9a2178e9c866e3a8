namespace VideoStreams.Server.Playback.Timeline;

/// <summary>Extent and gaps log messages (event ids 5500–5519).</summary>
internal static partial class TimelineLog
{
    [LoggerMessage(EventId = 5500, Level = LogLevel.Debug, Message = "Extent of {Stream} on the {Clock} clock: {Fragments} fragments")]
    public static partial void Extent(ILogger logger, string stream, string clock, long fragments);

    [LoggerMessage(EventId = 5501, Level = LogLevel.Debug, Message = "Gaps of {Stream} on the {Clock} clock: {Gaps} gaps, {TotalGapMs} ms without fragments")]
    public static partial void Gaps(ILogger logger, string stream, string clock, int gaps, long totalGapMs);

    [LoggerMessage(EventId = 5502, Level = LogLevel.Information, Message = "Timeline request refused: parameter {Parameter}: {Reason}")]
    public static partial void Refused(ILogger logger, string parameter, string reason);
}
