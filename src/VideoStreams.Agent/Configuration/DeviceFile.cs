using System.Text.Json.Serialization;

namespace VideoStreams.Agent.Configuration;

// The device definition as written in devices/*.json (docs/AGENT.md). Every member is nullable so that "missing" can
// be told from "zero" and defaults applied in one place (DeviceValidator); unknown members are refused by the
// serializer options below, so a typo such as "fragmentDuration" is named instead of silently ignored.

internal sealed class DeviceFile
{
    public string? Name { get; set; }
    public StreamSection? Stream { get; set; }
    public ServerSection? Server { get; set; }
    public SourceSection? Source { get; set; }
    public EncoderSection? Encoder { get; set; }
    public long? FragmentDurationMs { get; set; }
    public SpoolSection? Spool { get; set; }
    public UploadSection? Upload { get; set; }
    public int? Count { get; set; }
}

internal sealed class StreamSection
{
    public string? Name { get; set; }
    public bool? Create { get; set; }
    public int? RetentionHours { get; set; }
    public string? MediaType { get; set; }
}

internal sealed class ServerSection
{
    public string? Url { get; set; }
    public string? Credentials { get; set; }
    public string? Region { get; set; }
    public double? StartupTimeoutSeconds { get; set; }
}

internal sealed class SourceSection
{
    public string? Type { get; set; }
    public string? Path { get; set; }
    public string? Url { get; set; }
    public bool? Loop { get; set; }
    public string? Mode { get; set; }
    public int? Width { get; set; }
    public int? Height { get; set; }
    public double? FrameRate { get; set; }
}

internal sealed class EncoderSection
{
    public int? BitrateKbps { get; set; }
    public string? Profile { get; set; }
    public string? Preset { get; set; }
    public int? GopFrames { get; set; }
    public string? FfmpegPath { get; set; }
}

internal sealed class SpoolSection
{
    public string? Path { get; set; }
    public long? MaxBytes { get; set; }
    public double? MaxAgeHours { get; set; }
    public string? Sync { get; set; }
}

internal sealed class UploadSection
{
    public double? StallTimeoutSeconds { get; set; }
    public double? StopTimeoutSeconds { get; set; }
    public bool? FramesAsCaptured { get; set; }
}

/// <summary>A credentials file (<c>"credentials": "file:PATH"</c>).</summary>
internal sealed class CredentialsFile
{
    public string? AccessKeyId { get; set; }
    public string? SecretAccessKey { get; set; }
    public string? SessionToken { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(DeviceFile))]
[JsonSerializable(typeof(CredentialsFile))]
internal sealed partial class DeviceJson : JsonSerializerContext;
