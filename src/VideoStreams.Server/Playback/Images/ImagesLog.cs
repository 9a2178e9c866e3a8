namespace VideoStreams.Server.Playback.Images;

/// <summary>GetImages log messages (event ids 5480–5499).</summary>
internal static partial class ImagesLog
{
    [LoggerMessage(EventId = 5480, Level = LogLevel.Debug, Message = "GetImages on stream {StreamId}: {Samples} samples, {Images} images, {Missing} NO_MEDIA, {Failed} MEDIA_ERROR in {ElapsedMs:F1} ms")]
    public static partial void Answered(ILogger logger, long streamId, int samples, int images, int missing, int failed, double elapsedMs);

    [LoggerMessage(EventId = 5481, Level = LogLevel.Debug, Message = "GetImages waits for a decode slot (fragment {FragmentNumber})")]
    public static partial void Waiting(ILogger logger, long fragmentNumber);

    [LoggerMessage(EventId = 5482, Level = LogLevel.Error, Message = "GetImages: fragment {FragmentNumber} failed its checks: MEDIA_ERROR")]
    public static partial void Corrupt(ILogger logger, Exception exception, long fragmentNumber);

    [LoggerMessage(EventId = 5484, Level = LogLevel.Warning, Message = "GetImages: fragment {FragmentNumber} has no session header with a video track: MEDIA_ERROR")]
    public static partial void NoVideo(ILogger logger, long fragmentNumber);

    [LoggerMessage(EventId = 5485, Level = LogLevel.Warning, Message = "GetImages: fragment {FragmentNumber} holds no video frame: MEDIA_ERROR")]
    public static partial void NoFrames(ILogger logger, long fragmentNumber);

    [LoggerMessage(EventId = 5486, Level = LogLevel.Warning, Message = "GetImages: fragment {FragmentNumber} could not be decoded: MEDIA_ERROR")]
    public static partial void Undecodable(ILogger logger, Exception exception, long fragmentNumber);

    [LoggerMessage(EventId = 5487, Level = LogLevel.Warning, Message = "GetImages: FFmpeg could not open fragment {FragmentNumber}: MEDIA_ERROR")]
    public static partial void NotOpened(ILogger logger, long fragmentNumber);

    [LoggerMessage(EventId = 5488, Level = LogLevel.Warning, Message = "GetImages: fragment {FragmentNumber} decoded to {Decoded} of {Frames} frames: later samples are MEDIA_ERROR")]
    public static partial void DecodedFewer(ILogger logger, long fragmentNumber, int decoded, int frames);

    [LoggerMessage(EventId = 5489, Level = LogLevel.Warning, Message = "GetImages: temporary file {Path} could not be deleted")]
    public static partial void TempNotDeleted(ILogger logger, Exception exception, string path);
}
