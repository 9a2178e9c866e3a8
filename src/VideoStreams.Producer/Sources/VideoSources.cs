using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace VideoStreams.Producer.Sources;

/// <summary>Builds the <see cref="IVideoSource"/> a device definition asks for.</summary>
public static class VideoSources
{
    private static readonly string[] Profiles = ["baseline", "main", "high"];

    private static readonly string[] Presets =
        ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo"];

    /// <summary>
    /// Creates the source. Nothing is opened yet: a missing device or an unreachable URL is reported by
    /// <see cref="IVideoSource.RunAsync"/> as a <see cref="VideoSourceException"/>.
    /// </summary>
    /// <param name="spec">What the source is.</param>
    /// <param name="encoder">Encoder settings, for sources that encode.</param>
    /// <param name="fragmentDuration">The fragment duration, so that the default GOP gives every fragment an IDR.</param>
    /// <param name="timeProvider">The capture clock (wall-clock time of each frame).</param>
    /// <param name="loggerFactory">Logs, or null.</param>
    /// <param name="name">The name in logs and the metric tag <c>videostreams.producer.source</c> (the stream name, typically); defaults to the source type.</param>
    /// <param name="meterFactory">Where the source's metrics go (a private meter when null).</param>
    /// <exception cref="ArgumentException">The spec or the encoder settings are incomplete or out of range (the message names the field).</exception>
    public static IVideoSource Create(
        VideoSourceSpec spec,
        EncoderSettings encoder,
        TimeSpan fragmentDuration,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        string? name = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(encoder);
        var time = timeProvider ?? TimeProvider.System;
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("VideoStreams.Producer.Sources");
        name ??= spec.Type.ToString().ToLowerInvariant();
        if (fragmentDuration <= TimeSpan.Zero)
        {
            throw new ArgumentException($"The fragment duration must be positive, not {fragmentDuration}.", nameof(fragmentDuration));
        }

        switch (spec.Type)
        {
            case VideoSourceType.Synthetic:
                ValidateEncoder(encoder);
                ValidateRaw(spec);
                return new EncodedVideoSource(
                    new SyntheticFrameSource(spec.Width, spec.Height, spec.FrameRate, time), encoder, fragmentDuration, name, logger, new SourceMetrics(meterFactory, name));
            case VideoSourceType.Camera:
                ValidateEncoder(encoder);
                ValidateRaw(spec);
                var device = Required(spec.Path, "source.path", "a camera needs a device path (/dev/video0) or an index (0)");
                return new EncodedVideoSource(
                    CaptureFrameSource.Camera(device, spec.Width, spec.Height, spec.FrameRate, time), encoder, fragmentDuration, name, logger, new SourceMetrics(meterFactory, name));
            case VideoSourceType.File:
                var path = Required(spec.Path, "source.path", "a file source needs a path");
                return spec.Mode switch
                {
                    SourceMode.Passthrough => new PassthroughVideoSource(Path.GetFullPath(path), isUrl: false, spec.Loop, encoder.FfmpegPath, name, time, logger, new SourceMetrics(meterFactory, name)),
                    SourceMode.Encode => Encoded(CaptureFrameSource.Media(Path.GetFullPath(path), spec.Loop, time)),
                    _ => throw new ArgumentException($"Unknown source mode {spec.Mode}.", nameof(spec)),
                };
            case VideoSourceType.Url:
                var url = spec.Url ?? throw new ArgumentException("A url source needs a URL (source.url).", nameof(spec));
                if (url.Scheme is not ("rtsp" or "rtsps" or "http" or "https"))
                {
                    throw new ArgumentException($"source.url must be rtsp://, http:// or https://, not {url.Scheme}://.", nameof(spec));
                }

                return spec.Mode switch
                {
                    SourceMode.Passthrough => new PassthroughVideoSource(url.OriginalString, isUrl: true, loop: false, encoder.FfmpegPath, name, time, logger, new SourceMetrics(meterFactory, name)),
                    SourceMode.Encode => Encoded(CaptureFrameSource.Media(url.OriginalString, loop: false, time)),
                    _ => throw new ArgumentException($"Unknown source mode {spec.Mode}.", nameof(spec)),
                };
            default:
                throw new ArgumentException($"Unknown source type {spec.Type} (expected synthetic, file, camera or url).", nameof(spec));
        }

        IVideoSource Encoded(IRawFrameSource raw)
        {
            ValidateEncoder(encoder);
            return new EncodedVideoSource(raw, encoder, fragmentDuration, name, logger, new SourceMetrics(meterFactory, name));
        }
    }

    private static string Required(string? value, string field, string what) =>
        string.IsNullOrWhiteSpace(value) ? throw new ArgumentException($"{field} is missing: {what}.", nameof(value)) : value;

    private static void ValidateRaw(VideoSourceSpec spec)
    {
        if (spec.Width < SyntheticPattern.MinWidth || spec.Height < SyntheticPattern.MinHeight || spec.Width > 7680 || spec.Height > 4320)
        {
            throw new ArgumentException($"source.width x source.height must be between {SyntheticPattern.MinWidth}x{SyntheticPattern.MinHeight} and 7680x4320, not {spec.Width}x{spec.Height}.", nameof(spec));
        }

        if (spec.Width % 2 != 0 || spec.Height % 2 != 0)
        {
            throw new ArgumentException($"source.width and source.height must be even (H.264 4:2:0), not {spec.Width}x{spec.Height}.", nameof(spec));
        }

        if (!double.IsFinite(spec.FrameRate) || spec.FrameRate <= 0 || spec.FrameRate > 240)
        {
            throw new ArgumentException($"source.frameRate must be above 0 and at most 240, not {spec.FrameRate}.", nameof(spec));
        }
    }

    private static void ValidateEncoder(EncoderSettings encoder)
    {
        if (encoder.BitrateKbps is < 50 or > 100_000)
        {
            throw new ArgumentException($"encoder.bitrateKbps must be 50–100000, not {encoder.BitrateKbps}.", nameof(encoder));
        }

        if (!Profiles.Contains(encoder.Profile))
        {
            throw new ArgumentException($"encoder.profile must be one of {string.Join(", ", Profiles)}, not '{encoder.Profile}'.", nameof(encoder));
        }

        if (!Presets.Contains(encoder.Preset))
        {
            throw new ArgumentException($"encoder.preset must be one of {string.Join(", ", Presets)}, not '{encoder.Preset}'.", nameof(encoder));
        }

        if (encoder.GopFrames is < 1 or > 600)
        {
            throw new ArgumentException($"encoder.gopFrames must be 1–600 (or null for one GOP per fragment), not {encoder.GopFrames}.", nameof(encoder));
        }
    }
}
