using System.Text.Json.Serialization;
using VideoStreams.Server.ControlPlane;

namespace VideoStreams.Server.Playback.Images;

// GetImages request (KVS-API.md §4). Property names are the wire names; enums arrive as strings and are checked by
// ImagesRequest. The response is written field by field (ImagesWriter), one image at a time, so it has no model.

internal sealed class GetImagesInput : StreamRefInput
{
    public string? ImageSelectorType { get; init; }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public double? StartTimestamp { get; init; }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public double? EndTimestamp { get; init; }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long? SamplingInterval { get; init; }

    public string? Format { get; init; }

    public Dictionary<string, string>? FormatConfig { get; init; }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long? WidthPixels { get; init; }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long? HeightPixels { get; init; }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long? MaxResults { get; init; }

    public string? NextToken { get; init; }
}

[JsonSerializable(typeof(GetImagesInput))]
internal sealed partial class ImagesJson : JsonSerializerContext;
