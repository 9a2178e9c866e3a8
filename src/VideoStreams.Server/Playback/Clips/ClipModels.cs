using System.Text.Json.Serialization;
using VideoStreams.Server.ControlPlane;

namespace VideoStreams.Server.Playback.Clips;

// GetClip's request (KVS-API.md §4): the stream, and the time range on one of the two clocks. Timestamps are epoch
// seconds, as JSON numbers or numeric strings.

internal sealed class GetClipInput : StreamRefInput
{
    public ClipFragmentSelector? ClipFragmentSelector { get; init; }
}

internal sealed class ClipFragmentSelector
{
    public string? FragmentSelectorType { get; init; }
    public TimestampRange? TimestampRange { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.Unspecified)]
[JsonSerializable(typeof(GetClipInput))]
internal sealed partial class ClipsJson : JsonSerializerContext;
