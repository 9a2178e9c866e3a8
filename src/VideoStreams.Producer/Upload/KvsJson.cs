using System.Text.Json.Serialization;

namespace VideoStreams.Producer.Upload;

// The KVS control-plane shapes the producer uses (KVS-API §1.5, §2), read and written with source-generated JSON.

internal sealed record KvsErrorBody(
    [property: JsonPropertyName("Message")] string? Message,
    [property: JsonPropertyName("message")] string? LowerMessage,
    [property: JsonPropertyName("__type")] string? Type,
    [property: JsonPropertyName("code")] string? Code);

internal sealed record DescribeStreamRequest(string StreamName);

internal sealed record DescribeStreamResponse(StreamInfoModel? StreamInfo);

internal sealed record StreamInfoModel(
    string? DeviceName,
    string? StreamName,
    [property: JsonPropertyName("StreamARN")] string? StreamArn,
    string? MediaType,
    string? KmsKeyId,
    string? Version,
    string? Status,
    double? CreationTime,
    int? DataRetentionInHours);

internal sealed record CreateStreamRequest(string StreamName, string? DeviceName, string? MediaType, int DataRetentionInHours);

internal sealed record CreateStreamResponse([property: JsonPropertyName("StreamARN")] string? StreamArn);

internal sealed record GetDataEndpointRequest(string StreamName, [property: JsonPropertyName("APIName")] string ApiName);

internal sealed record GetDataEndpointResponse(string? DataEndpoint);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(KvsErrorBody))]
[JsonSerializable(typeof(DescribeStreamRequest))]
[JsonSerializable(typeof(DescribeStreamResponse))]
[JsonSerializable(typeof(CreateStreamRequest))]
[JsonSerializable(typeof(CreateStreamResponse))]
[JsonSerializable(typeof(GetDataEndpointRequest))]
[JsonSerializable(typeof(GetDataEndpointResponse))]
internal sealed partial class KvsJsonContext : JsonSerializerContext;
