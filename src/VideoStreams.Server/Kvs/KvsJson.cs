using System.Text.Json.Serialization;

namespace VideoStreams.Server.Kvs;

/// <summary>The body of every KVS error.</summary>
/// <param name="Message">What went wrong, for people.</param>
internal sealed record ErrorBody(string Message);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(HealthReply))]
internal sealed partial class KvsJson : JsonSerializerContext;
