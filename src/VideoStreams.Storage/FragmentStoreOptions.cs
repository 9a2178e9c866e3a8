using VideoStreams.Storage.Encryption;

namespace VideoStreams.Storage;

/// <summary>How the store lays out, commits and names things.</summary>
public sealed record FragmentStoreOptions
{
    /// <summary>The data folder.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Largest chunk file before a log starts a new one. Retention deletes whole chunks. Default 256 MiB.</summary>
    public long ChunkSize { get; init; } = 256L << 20;

    /// <summary>A commit happens at most this long after the first uncommitted append. Default 5 ms.</summary>
    public TimeSpan CommitInterval { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>…or as soon as this many bytes are waiting, whichever comes first. Default 8 MiB.</summary>
    public long CommitBytes { get; init; } = 8L << 20;

    /// <summary>Largest fragment accepted (KVS: 50 MB).</summary>
    public int MaxFragmentSize { get; init; } = 50_000_000;

    /// <summary>Fragment numbers reserved per synced control record (see docs/STORAGE.md, "numbers never repeat").</summary>
    public long NumberReservationBlock { get; init; } = 1 << 20;

    /// <summary>Region written into stream ARNs.</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>Account id written into stream ARNs.</summary>
    public string AccountId { get; init; } = "123456789012";

    /// <summary>Encryption at rest: on by default (see <see cref="EncryptionOptions"/>).</summary>
    public EncryptionOptions Encryption { get; init; } = new();

    /// <summary>
    /// Tests only: commits without syncing, to show that the power-loss test catches a store that skips its syncs.
    /// </summary>
    internal bool UnsafeSkipSyncForTests { get; init; }
}
