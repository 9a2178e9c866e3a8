using VideoStreams.Storage.Streams;

namespace VideoStreams.Server.ControlPlane;

// Request and response shapes of the KVS control plane (KVS-API.md §2). Property names are the wire names; enums
// arrive as strings and are checked by the handlers, so an unknown value gets a message that lists the allowed ones.

internal sealed class CreateStreamInput
{
    public string? StreamName { get; init; }
    public string? DeviceName { get; init; }
    public string? MediaType { get; init; }
    public string? KmsKeyId { get; init; }
    public int? DataRetentionInHours { get; init; }
    public Dictionary<string, string>? Tags { get; init; }
    public StreamStorageConfiguration? StreamStorageConfiguration { get; init; }
}

internal sealed class StreamStorageConfiguration
{
    public string? DefaultStorageTier { get; init; }
}

internal sealed record CreateStreamOutput(string StreamARN);

/// <summary>DescribeStream's input; also GetDataEndpoint's and the tag operations' stream reference.</summary>
internal class StreamRefInput
{
    public string? StreamName { get; init; }
    public string? StreamARN { get; init; }

    public StreamRef ToRef() => new(StreamName, StreamARN);
}

internal sealed record DescribeStreamOutput(StreamInfo StreamInfo);

internal sealed record StreamInfo(
    string? DeviceName,
    string StreamName,
    string StreamARN,
    string? MediaType,
    string KmsKeyId,
    string Version,
    string Status,
    double CreationTime,
    int DataRetentionInHours)
{
    public static StreamInfo From(StreamRecord stream) => new(
        stream.DeviceName,
        stream.Name,
        stream.Arn,
        stream.MediaType,
        stream.KmsKeyId,
        stream.Version,
        stream.Status switch
        {
            StreamStatus.Creating => "CREATING",
            StreamStatus.Updating => "UPDATING",
            StreamStatus.Deleting => "DELETING",
            _ => "ACTIVE",
        },
        // KVS timestamps are epoch seconds as JSON numbers, with the milliseconds as a fraction.
        stream.CreationTime.ToUnixTimeMilliseconds() / 1000.0,
        stream.DataRetentionInHours);
}

internal sealed class ListStreamsInput
{
    public int? MaxResults { get; init; }
    public string? NextToken { get; init; }
    public StreamNameCondition? StreamNameCondition { get; init; }
}

internal sealed class StreamNameCondition
{
    public string? ComparisonOperator { get; init; }
    public string? ComparisonValue { get; init; }
}

internal sealed record ListStreamsOutput(IReadOnlyList<StreamInfo> StreamInfoList, string? NextToken);

internal sealed class UpdateStreamInput : StreamRefInput
{
    public string? CurrentVersion { get; init; }
    public string? DeviceName { get; init; }
    public string? MediaType { get; init; }
}

internal sealed class UpdateDataRetentionInput : StreamRefInput
{
    public string? CurrentVersion { get; init; }
    public string? Operation { get; init; }
    public int? DataRetentionChangeInHours { get; init; }
}

internal sealed class DeleteStreamInput
{
    public string? StreamARN { get; init; }
    public string? CurrentVersion { get; init; }
}

internal sealed class TagStreamInput : StreamRefInput
{
    public Dictionary<string, string>? Tags { get; init; }
}

internal sealed class UntagStreamInput : StreamRefInput
{
    public List<string>? TagKeyList { get; init; }
}

internal sealed class ListTagsForStreamInput : StreamRefInput
{
    public string? NextToken { get; init; }
}

internal sealed record ListTagsOutput(IReadOnlyDictionary<string, string> Tags, string? NextToken);

/// <summary>TagResource: tags as a list of Key/Value pairs, the resource by ARN.</summary>
internal sealed class TagResourceInput
{
    public string? ResourceARN { get; init; }
    public List<ResourceTag>? Tags { get; init; }
}

internal sealed class ResourceTag
{
    public string? Key { get; init; }
    public string? Value { get; init; }
}

internal sealed class UntagResourceInput
{
    public string? ResourceARN { get; init; }
    public List<string>? TagKeyList { get; init; }
}

internal sealed class ListTagsForResourceInput
{
    public string? ResourceARN { get; init; }
    public string? NextToken { get; init; }
}

internal sealed class GetDataEndpointInput : StreamRefInput
{
    public string? APIName { get; init; }
}

internal sealed record GetDataEndpointOutput(string DataEndpoint);

/// <summary>The <c>{}</c> of operations that return nothing.</summary>
internal sealed class EmptyOutput
{
    public static readonly EmptyOutput Instance = new();
}
