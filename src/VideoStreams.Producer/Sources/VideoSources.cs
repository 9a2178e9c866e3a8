using Microsoft.Extensions.Logging;

namespace VideoStreams.Producer.Sources;

/// <summary>Builds the <see cref="IVideoSource"/> a device definition asks for.</summary>
public static class VideoSources
{
    /// <summary>
    /// Creates the source. Nothing is opened yet: a missing device or an unreachable URL is reported by
    /// <see cref="IVideoSource.RunAsync"/> as a <see cref="VideoSourceException"/>.
    /// </summary>
    /// <param name="spec">What the source is.</param>
    /// <param name="encoder">Encoder settings, for sources that encode.</param>
    /// <param name="fragmentDuration">The fragment duration, so that the default GOP gives every fragment an IDR.</param>
    /// <param name="timeProvider">The capture clock (wall-clock time of each frame).</param>
    /// <param name="loggerFactory">Logs, or null.</param>
    public static IVideoSource Create(
        VideoSourceSpec spec,
        EncoderSettings encoder,
        TimeSpan fragmentDuration,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(encoder);
        _ = fragmentDuration;
        _ = timeProvider;
        _ = loggerFactory;
        throw new VideoSourceException($"The {spec.Type} source is not built yet (work in progress on the producer branch).");
    }
}
