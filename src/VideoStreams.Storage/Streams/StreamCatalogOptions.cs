namespace VideoStreams.Storage.Streams;

/// <summary>What stream ARNs are made of.</summary>
public sealed record StreamCatalogOptions
{
    /// <summary>The region in ARNs (clients sign requests for a region; use the same).</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>The account id in ARNs.</summary>
    public string AccountId { get; init; } = "123456789012";

    /// <summary>
    /// Checks that a KmsKeyId names a master key that is available: null when it does, otherwise why not (CreateStream
    /// then fails with InvalidArgument). Null: any KmsKeyId is accepted.
    /// </summary>
    public Func<string, string?>? KmsKeyCheck { get; init; }
}

/// <summary>How UpdateDataRetention changes the retention period.</summary>
public enum DataRetentionOperation
{
    /// <summary>INCREASE_DATA_RETENTION: add the change.</summary>
    IncreaseDataRetention,
    /// <summary>DECREASE_DATA_RETENTION: subtract the change.</summary>
    DecreaseDataRetention,
}

/// <summary>A stream named by StreamName or StreamARN, as KVS operations accept either (one must be given).</summary>
/// <param name="Name">The stream name, or null.</param>
/// <param name="Arn">The stream ARN, or null.</param>
public readonly record struct StreamRef(string? Name, string? Arn)
{
    /// <summary>By name.</summary>
    public static StreamRef ByName(string name) => new(name, null);

    /// <summary>By ARN.</summary>
    public static StreamRef ByArn(string arn) => new(null, arn);
}

/// <summary>One page of ListStreams.</summary>
/// <param name="Streams">The streams, in name order.</param>
/// <param name="NextToken">The token for the next page, or null when this is the last.</param>
public sealed record StreamListPage(IReadOnlyList<StreamRecord> Streams, string? NextToken);
