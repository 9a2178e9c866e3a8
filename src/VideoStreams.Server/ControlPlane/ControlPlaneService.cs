using VideoStreams.Server.Kvs;
using VideoStreams.Storage;
using VideoStreams.Storage.Streams;

namespace VideoStreams.Server.ControlPlane;

/// <summary>
/// The control-plane operations over the store's <see cref="StreamCatalog"/>: the catalog checks names, versions and
/// limits; this class checks what only the wire has (enum strings, required members) and shapes the answers.
/// </summary>
internal sealed class ControlPlaneService(FragmentStore store, ServerOptions options)
{
    private static readonly string[] ApiNames =
    [
        "PUT_MEDIA", "GET_MEDIA", "LIST_FRAGMENTS", "GET_MEDIA_FOR_FRAGMENT_LIST", "GET_HLS_STREAMING_SESSION_URL",
        "GET_DASH_STREAMING_SESSION_URL", "GET_CLIP", "GET_IMAGES",
    ];

    private static readonly ControlPlaneJson Json = ControlPlaneJson.Default;

    private StreamCatalog Streams => store.Streams;

    public KvsReply CreateStream(CreateStreamInput input)
    {
        if (string.IsNullOrEmpty(input.StreamName))
        {
            return Invalid("StreamName must be specified.");
        }

        // We keep every stream on one tier, so the setting is checked and accepted but changes nothing.
        if (input.StreamStorageConfiguration is { } storage && storage.DefaultStorageTier is not ("HOT" or "WARM"))
        {
            return Invalid($"StreamStorageConfiguration.DefaultStorageTier must be HOT or WARM{Got(storage.DefaultStorageTier)}.");
        }

        var created = Streams.CreateStream(input.StreamName, input.DeviceName, input.MediaType, input.KmsKeyId,
            input.DataRetentionInHours, input.Tags);
        return KvsReply.From(created, s => new CreateStreamOutput(s.Arn), Json.CreateStreamOutput);
    }

    public KvsReply DescribeStream(StreamRefInput input) =>
        KvsReply.From(Streams.Describe(input.ToRef()), s => new DescribeStreamOutput(StreamInfo.From(s)), Json.DescribeStreamOutput);

    public KvsReply ListStreams(ListStreamsInput input)
    {
        string? prefix = null;
        if (input.StreamNameCondition is { } condition)
        {
            if (condition.ComparisonOperator is not (null or "BEGINS_WITH"))
            {
                return Invalid($"StreamNameCondition.ComparisonOperator must be BEGINS_WITH{Got(condition.ComparisonOperator)}.");
            }

            prefix = condition.ComparisonValue;
        }

        var page = Streams.List(input.MaxResults, input.NextToken, prefix);
        return KvsReply.From(page, p => new ListStreamsOutput([.. p.Streams.Select(StreamInfo.From)], p.NextToken), Json.ListStreamsOutput);
    }

    public KvsReply UpdateStream(UpdateStreamInput input) =>
        Empty(Streams.UpdateStream(input.ToRef(), input.CurrentVersion, input.DeviceName, input.MediaType));

    public KvsReply UpdateDataRetention(UpdateDataRetentionInput input)
    {
        DataRetentionOperation operation;
        switch (input.Operation)
        {
            case "INCREASE_DATA_RETENTION":
                operation = DataRetentionOperation.IncreaseDataRetention;
                break;
            case "DECREASE_DATA_RETENTION":
                operation = DataRetentionOperation.DecreaseDataRetention;
                break;
            default:
                return Invalid($"Operation must be INCREASE_DATA_RETENTION or DECREASE_DATA_RETENTION{Got(input.Operation)}.");
        }

        if (input.DataRetentionChangeInHours is not { } change)
        {
            return Invalid("DataRetentionChangeInHours must be specified.");
        }

        return Empty(Streams.UpdateDataRetention(input.ToRef(), input.CurrentVersion, operation, change));
    }

    /// <summary>
    /// DeleteStream: the catalog journals the stream as DELETING and then removes it before answering, so a describe
    /// right after already finds nothing (KVS's DELETING phase is over by the time we answer).
    /// </summary>
    public KvsReply DeleteStream(DeleteStreamInput input) => Empty(Streams.Delete(input.StreamARN, input.CurrentVersion));

    public KvsReply TagStream(TagStreamInput input) => Empty(Streams.TagStream(input.ToRef(), input.Tags));

    public KvsReply UntagStream(UntagStreamInput input) => Empty(Streams.UntagStream(input.ToRef(), input.TagKeyList));

    public KvsReply ListTagsForStream(ListTagsForStreamInput input) => ListTags(input.ToRef());

    public KvsReply TagResource(TagResourceInput input)
    {
        if (string.IsNullOrEmpty(input.ResourceARN))
        {
            return Invalid("ResourceARN must be specified.");
        }

        Dictionary<string, string>? tags = null;
        if (input.Tags is not null)
        {
            tags = new Dictionary<string, string>(input.Tags.Count, StringComparer.Ordinal);
            foreach (var tag in input.Tags)
            {
                if (tag?.Key is null)
                {
                    return Invalid("Every tag in Tags must have a Key.");
                }

                tags[tag.Key] = tag.Value ?? "";
            }
        }

        return Empty(Streams.TagStream(StreamRef.ByArn(input.ResourceARN), tags));
    }

    public KvsReply UntagResource(UntagResourceInput input) => string.IsNullOrEmpty(input.ResourceARN)
        ? Invalid("ResourceARN must be specified.")
        : Empty(Streams.UntagStream(StreamRef.ByArn(input.ResourceARN), input.TagKeyList));

    public KvsReply ListTagsForResource(ListTagsForResourceInput input) => string.IsNullOrEmpty(input.ResourceARN)
        ? Invalid("ResourceARN must be specified.")
        : ListTags(StreamRef.ByArn(input.ResourceARN));

    /// <summary>GetDataEndpoint: this server serves every API, so the answer is its own base URL (no path).</summary>
    public KvsReply GetDataEndpoint(GetDataEndpointInput input, HttpRequest request)
    {
        if (input.APIName is null || Array.IndexOf(ApiNames, input.APIName) < 0)
        {
            return Invalid($"APIName must be one of {string.Join(", ", ApiNames)}{Got(input.APIName)}.");
        }

        var endpoint = string.IsNullOrEmpty(options.PublicBaseUrl)
            ? $"{request.Scheme}://{request.Host.ToUriComponent()}"
            : options.PublicBaseUrl.TrimEnd('/');
        return KvsReply.From(Streams.Describe(input.ToRef()), _ => new GetDataEndpointOutput(endpoint), Json.GetDataEndpointOutput);
    }

    private KvsReply ListTags(StreamRef stream) =>
        KvsReply.From(Streams.ListTags(stream), tags => new ListTagsOutput(tags, null), Json.ListTagsOutput);

    private static KvsReply Empty<T>(StorageResult<T> result) => KvsReply.From(result, _ => EmptyOutput.Instance, Json.EmptyOutput);

    private static KvsReply Invalid(string message) => KvsReply.Fail(KvsError.InvalidArgument, message);

    private static string Got(string? value) => value is null ? "; it is missing" : $"; got '{(value.Length > 64 ? value[..64] + "…" : value)}'";
}
