using System.Text.Json.Serialization;

namespace VideoStreams.Server.ControlPlane;

/// <summary>Source-generated JSON for the control plane: exact KVS names, absent members left out of answers.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CreateStreamInput))]
[JsonSerializable(typeof(CreateStreamOutput))]
[JsonSerializable(typeof(StreamRefInput))]
[JsonSerializable(typeof(DescribeStreamOutput))]
[JsonSerializable(typeof(ListStreamsInput))]
[JsonSerializable(typeof(ListStreamsOutput))]
[JsonSerializable(typeof(UpdateStreamInput))]
[JsonSerializable(typeof(UpdateDataRetentionInput))]
[JsonSerializable(typeof(DeleteStreamInput))]
[JsonSerializable(typeof(TagStreamInput))]
[JsonSerializable(typeof(UntagStreamInput))]
[JsonSerializable(typeof(ListTagsForStreamInput))]
[JsonSerializable(typeof(ListTagsOutput))]
[JsonSerializable(typeof(TagResourceInput))]
[JsonSerializable(typeof(UntagResourceInput))]
[JsonSerializable(typeof(ListTagsForResourceInput))]
[JsonSerializable(typeof(GetDataEndpointInput))]
[JsonSerializable(typeof(GetDataEndpointOutput))]
[JsonSerializable(typeof(EmptyOutput))]
internal sealed partial class ControlPlaneJson : JsonSerializerContext;
