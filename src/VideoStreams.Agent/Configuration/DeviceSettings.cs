using VideoStreams.Producer.Sources;
using VideoStreams.Producer.Spool;
using VideoStreams.Producer.Upload;

namespace VideoStreams.Agent.Configuration;

/// <summary>One device to run, with every default applied and every path made absolute.</summary>
internal sealed record DeviceSettings
{
    /// <summary>The device file as given on the command line (for messages).</summary>
    public required string File { get; init; }

    /// <summary>The device's name (for a fleet, NAME-001…).</summary>
    public required string Name { get; init; }

    public required string StreamName { get; init; }

    public bool CreateStream { get; init; } = true;

    public int RetentionHours { get; init; } = 24;

    public string MediaType { get; init; } = "video/h264";

    public required Uri ServerUrl { get; init; }

    /// <summary>Which setting gave <see cref="ServerUrl"/>: <c>server.url</c> or <c>--server</c>.</summary>
    public string ServerUrlField { get; init; } = "server.url";

    /// <summary><c>server.credentials</c> as written (null, env:PREFIX, file:PATH).</summary>
    public string? CredentialsReference { get; init; }

    /// <summary>The credentials, read by <see cref="DevicePreflight"/> when the agent starts.</summary>
    public KvsCredentials? Credentials { get; init; }

    public string Region { get; init; } = "us-east-1";

    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public required VideoSourceSpec Source { get; init; }

    public required EncoderSettings Encoder { get; init; }

    public TimeSpan FragmentDuration { get; init; } = TimeSpan.FromSeconds(2);

    public required SpoolOptions Spool { get; init; }

    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>On a graceful stop, how long to wait for the uploader to send what is pending.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// <c>upload.framesAsCaptured</c>: at the live edge the uploader sends each frame as it is captured (the fragment in
    /// progress in a cluster of unknown size), not each fragment once complete. See docs/AGENT.md.
    /// </summary>
    public bool FramesAsCaptured { get; init; } = DefaultFramesAsCaptured;

    /// <summary>The default of <see cref="FramesAsCaptured"/> (docs/AGENT.md says why).</summary>
    public const bool DefaultFramesAsCaptured = true;

    /// <summary>The JSON field that names where the source is: <c>source.path</c>, <c>source.url</c> or <c>source.type</c>.</summary>
    public string SourceField => Source.Type switch
    {
        VideoSourceType.File or VideoSourceType.Camera => "source.path",
        VideoSourceType.Url => "source.url",
        _ => "source.type",
    };

    /// <summary>What the source is, for the start line before the source describes itself.</summary>
    public string SourceSummary => Source.Type switch
    {
        VideoSourceType.File => $"file {Source.Path} ({(Source.Mode == SourceMode.Passthrough ? "passthrough" : "encode")}{(Source.Loop ? ", loop" : "")})",
        VideoSourceType.Camera => $"camera {Source.Path} {Source.Width}x{Source.Height}@{Source.FrameRate}",
        VideoSourceType.Url => $"{Source.Url} ({(Source.Mode == SourceMode.Passthrough ? "passthrough" : "encode")})",
        _ => $"synthetic {Source.Width}x{Source.Height}@{Source.FrameRate}",
    };
}
