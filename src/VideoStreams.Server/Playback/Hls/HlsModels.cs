using System.Text.Json.Serialization;
using VideoStreams.Server.ControlPlane;

namespace VideoStreams.Server.Playback.Hls;

// GetHLSStreamingSessionURL's request and response (KVS-API.md §4). Enums arrive as strings and are checked by
// HlsSessionService, so a bad value gets KVS's InvalidArgumentException naming the field.

internal sealed class GetHlsStreamingSessionUrlInput : StreamRefInput
{
    public string? PlaybackMode { get; init; }

    public FragmentSelector? HLSFragmentSelector { get; init; }

    public string? ContainerFormat { get; init; }

    public string? DiscontinuityMode { get; init; }

    public string? DisplayFragmentTimestamp { get; init; }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long? Expires { get; init; }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long? MaxMediaPlaylistFragmentResults { get; init; }

    /// <summary>Our extension (not KVS): true asks for a low-latency HLS media playlist; PlaybackMode LIVE only.</summary>
    public bool? LowLatency { get; init; }
}

internal sealed record GetHlsStreamingSessionUrlOutput(string HLSStreamingSessionURL);

/// <summary>Source-generated JSON for GetHLSStreamingSessionURL.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GetHlsStreamingSessionUrlInput))]
[JsonSerializable(typeof(GetHlsStreamingSessionUrlOutput))]
internal sealed partial class HlsJson : JsonSerializerContext;
