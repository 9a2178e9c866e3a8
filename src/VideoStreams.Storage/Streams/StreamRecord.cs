namespace VideoStreams.Storage.Streams;

/// <summary>A stream's lifecycle state, as KVS names it.</summary>
public enum StreamStatus
{
    /// <summary>Being created.</summary>
    Creating,
    /// <summary>Usable.</summary>
    Active,
    /// <summary>Being updated.</summary>
    Updating,
    /// <summary>Being deleted: not readable any more.</summary>
    Deleting,
}

/// <summary>
/// Everything the store keeps about a stream. On disk a stream is known only by <see cref="Id"/>; its name never
/// reaches a path (".", ".." and "..-x" are valid KVS names).
/// </summary>
public sealed record StreamRecord
{
    /// <summary>Internal id, unique for the life of the data folder, never reused.</summary>
    public required long Id { get; init; }

    /// <summary>KVS stream name (1–256 of [a-zA-Z0-9_.-]).</summary>
    public required string Name { get; init; }

    /// <summary>arn:aws:kinesisvideo:{region}:{account}:stream/{name}/{creation time in ms}.</summary>
    public required string Arn { get; init; }

    /// <summary>Device name, if any.</summary>
    public string? DeviceName { get; init; }

    /// <summary>Media type (e.g. video/h264), if any.</summary>
    public string? MediaType { get; init; }

    /// <summary>The master key that wraps the stream's data keys (default alias aws/kinesisvideo).</summary>
    public required string KmsKeyId { get; init; }

    /// <summary>0 (nothing persisted) or 1..87600 hours.</summary>
    public required int DataRetentionInHours { get; init; }

    /// <summary>Opaque version, changed on every metadata or retention update.</summary>
    public required string Version { get; init; }

    /// <summary>When the stream was created.</summary>
    public required DateTimeOffset CreationTime { get; init; }

    /// <summary>Lifecycle state.</summary>
    public StreamStatus Status { get; init; } = StreamStatus.Active;

    /// <summary>Tags (at most 50).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
}
