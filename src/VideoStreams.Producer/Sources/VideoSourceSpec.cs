namespace VideoStreams.Producer.Sources;

/// <summary>Kinds of video source a device can have.</summary>
public enum VideoSourceType
{
    /// <summary>A moving test pattern with the capture time burned in (as text and as a machine-readable strip).</summary>
    Synthetic,

    /// <summary>A video file, played once or looped.</summary>
    File,

    /// <summary>A camera or capture card through OpenCV's <c>VideoCapture</c> (V4L2 index or device path).</summary>
    Camera,

    /// <summary>An RTSP or HTTP(S) URL.</summary>
    Url,
}

/// <summary>How a source that already carries H.264 (a file, a URL) is turned into access units.</summary>
public enum SourceMode
{
    /// <summary>No decode, no re-encode: the H.264 access units are passed through bit for bit.</summary>
    Passthrough,

    /// <summary>Decode and encode again with the device's encoder settings.</summary>
    Encode,
}

/// <summary>What a device's video source is. Which fields matter depends on <see cref="Type"/>.</summary>
public sealed record VideoSourceSpec
{
    /// <summary>The kind of source.</summary>
    public VideoSourceType Type { get; init; } = VideoSourceType.Synthetic;

    /// <summary>File: the path. Camera: a V4L2 device path (<c>/dev/video0</c>) or an index (<c>0</c>).</summary>
    public string? Path { get; init; }

    /// <summary>Url: an <c>rtsp://</c>, <c>http://</c> or <c>https://</c> URL.</summary>
    public Uri? Url { get; init; }

    /// <summary>File: start again at the end (default true). Timestamps keep increasing across loops.</summary>
    public bool Loop { get; init; } = true;

    /// <summary>File and Url: passthrough (default) or encode. Synthetic and Camera always encode.</summary>
    public SourceMode Mode { get; init; } = SourceMode.Passthrough;

    /// <summary>Frame width for Synthetic and Camera (a camera may pick the nearest it supports).</summary>
    public int Width { get; init; } = 1280;

    /// <summary>Frame height for Synthetic and Camera.</summary>
    public int Height { get; init; } = 720;

    /// <summary>Frames per second for Synthetic and Camera.</summary>
    public double FrameRate { get; init; } = 30;
}

/// <summary>libx264 settings for sources that encode.</summary>
public sealed record EncoderSettings
{
    /// <summary>Target bitrate in kbit/s (default 2000).</summary>
    public int BitrateKbps { get; init; } = 2000;

    /// <summary>H.264 profile: <c>baseline</c>, <c>main</c> (default) or <c>high</c>.</summary>
    public string Profile { get; init; } = "main";

    /// <summary>x264 preset (default <c>veryfast</c>).</summary>
    public string Preset { get; init; } = "veryfast";

    /// <summary>
    /// Frames between key frames. Null (default) means one GOP per fragment: frame rate × fragment duration, so every
    /// fragment starts with an IDR.
    /// </summary>
    public int? GopFrames { get; init; }

    /// <summary>The ffmpeg executable (default <c>ffmpeg</c> on the PATH).</summary>
    public string FfmpegPath { get; init; } = "ffmpeg";
}
