using System.Text.Json.Serialization;
using VideoStreams.Server.ControlPlane;

namespace VideoStreams.Server.Playback;

// Request and response shapes of the KVS read APIs (KVS-API.md §3.2, §4). Property names are the wire names;
// enums arrive as strings and are checked by the handlers. Timestamps are epoch seconds (JSON numbers, or numeric
// strings, which the SDK also accepts).

internal sealed class ListFragmentsInput : StreamRefInput
{
    public long? MaxResults { get; init; }
    public string? NextToken { get; init; }
    public FragmentSelector? FragmentSelector { get; init; }
}

internal sealed class FragmentSelector
{
    public string? FragmentSelectorType { get; init; }
    public TimestampRange? TimestampRange { get; init; }
}

internal sealed class TimestampRange
{
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public double? StartTimestamp { get; init; }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public double? EndTimestamp { get; init; }
}

internal sealed record ListFragmentsOutput(IReadOnlyList<FragmentOutput> Fragments, string? NextToken);

internal sealed record FragmentOutput(
    string FragmentNumber,
    long FragmentSizeInBytes,
    double ProducerTimestamp,
    double ServerTimestamp,
    long FragmentLengthInMilliseconds);

internal sealed class GetMediaForFragmentListInput : StreamRefInput
{
    public List<string>? Fragments { get; init; }
}

internal sealed class GetMediaInput : StreamRefInput
{
    public StartSelector? StartSelector { get; init; }
}

internal sealed class StartSelector
{
    public string? StartSelectorType { get; init; }
    public string? AfterFragmentNumber { get; init; }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public double? StartTimestamp { get; init; }

    public string? ContinuationToken { get; init; }
}

/// <summary>Source-generated JSON for the read APIs.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ListFragmentsInput))]
[JsonSerializable(typeof(ListFragmentsOutput))]
[JsonSerializable(typeof(GetMediaForFragmentListInput))]
[JsonSerializable(typeof(GetMediaInput))]
internal sealed partial class PlaybackJson : JsonSerializerContext;
