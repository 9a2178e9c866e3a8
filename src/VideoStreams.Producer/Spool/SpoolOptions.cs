namespace VideoStreams.Producer.Spool;

/// <summary>When the spool forces appended records to stable storage.</summary>
public enum SpoolSyncMode
{
    /// <summary>fsync after every fragment: a fragment is durable when <see cref="FragmentSpool.Append"/> returns (default).</summary>
    EveryFragment,

    /// <summary>fsync when <see cref="SpoolOptions.SyncInterval"/> has passed since the last one (and on dispose).</summary>
    Interval,

    /// <summary>Never fsync while running (only on dispose): the OS writes back when it likes; a power cut loses the recent tail.</summary>
    None,
}

/// <summary>What <see cref="FragmentSpool.Append"/> does when the spool is full.</summary>
public enum SpoolOverflowPolicy
{
    /// <summary>Delete the oldest segment file, dropping its unacknowledged fragments (counted and logged): recording goes on (default).</summary>
    DropOldest,

    /// <summary>Refuse the new fragment (<see cref="SpoolAppendStatus.Full"/>): what was spooled is kept.</summary>
    RejectNew,
}

/// <summary>Where the spool lives and how much it may hold.</summary>
public sealed record SpoolOptions
{
    /// <summary>Folder of the segment files (created if missing). One spool per folder.</summary>
    public required string Directory { get; init; }

    /// <summary>Name used in logs and as the metric tag <c>videostreams.producer.spool</c> (usually the stream name).</summary>
    public string Name { get; init; } = "default";

    /// <summary>Largest total size of the segment files (default 1 GiB).</summary>
    public long MaxBytes { get; init; } = 1L << 30;

    /// <summary>Fragments spooled longer ago than this are dropped (default 24 h).</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromHours(24);

    /// <summary>
    /// A segment file is closed and a new one started once it reaches this size. Overflow frees space one segment at
    /// a time, so this is also the granularity of dropping. 0 = MaxBytes / 16, between 64 KiB and 64 MiB.
    /// </summary>
    public long SegmentBytes { get; init; }

    /// <summary>When appended records are synced (default every fragment).</summary>
    public SpoolSyncMode SyncMode { get; init; } = SpoolSyncMode.EveryFragment;

    /// <summary>For <see cref="SpoolSyncMode.Interval"/>: the longest time an appended record may stay unsynced (default 1 s).</summary>
    public TimeSpan SyncInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>What to do when the spool is full (default: drop oldest).</summary>
    public SpoolOverflowPolicy OverflowPolicy { get; init; } = SpoolOverflowPolicy.DropOldest;

    internal long EffectiveSegmentBytes => SegmentBytes > 0 ? SegmentBytes : Math.Clamp(MaxBytes / 16, 64 * 1024, 64L << 20);

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentException">No directory, a non-positive size or age, or segments larger than a quarter of the spool.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory))
        {
            throw new ArgumentException("The spool needs a directory.", nameof(Directory));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBytes, 1024 * 1024, nameof(MaxBytes));
        if (MaxAge <= TimeSpan.Zero)
        {
            throw new ArgumentException("MaxAge must be positive.", nameof(MaxAge));
        }

        if (SegmentBytes < 0 || EffectiveSegmentBytes > MaxBytes / 4 || EffectiveSegmentBytes < 4096)
        {
            throw new ArgumentException("SegmentBytes must be at least 4 KiB and at most a quarter of MaxBytes, so that dropping the oldest segment frees space without emptying the spool.", nameof(SegmentBytes));
        }

        if (SyncMode == SpoolSyncMode.Interval && SyncInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("SyncInterval must be positive.", nameof(SyncInterval));
        }
    }
}

/// <summary>The outcome of <see cref="FragmentSpool.Append"/>.</summary>
public enum SpoolAppendStatus
{
    /// <summary>Written (and synced, per the sync mode).</summary>
    Appended,

    /// <summary>The spool is full and the policy is <see cref="SpoolOverflowPolicy.RejectNew"/>.</summary>
    Full,

    /// <summary>The fragment alone is larger than the spool may hold.</summary>
    TooLarge,

    /// <summary>
    /// The disk is full before <see cref="SpoolOptions.MaxBytes"/> is reached, and no older segment could be dropped
    /// (policy RejectNew, or nothing older left).
    /// </summary>
    DiskFull,
}

/// <summary>What <see cref="FragmentSpool.Append"/> did.</summary>
/// <param name="Status">Appended or why not.</param>
/// <param name="DroppedFragments">Unacknowledged fragments dropped (oldest first) to make room.</param>
public readonly record struct SpoolAppendResult(SpoolAppendStatus Status, int DroppedFragments);

/// <summary>Why a fragment left the spool without being acknowledged.</summary>
public enum SpoolDropReason
{
    /// <summary>The spool was full and its oldest segment was deleted.</summary>
    Overflow,

    /// <summary>It was older than <see cref="SpoolOptions.MaxAge"/>.</summary>
    Age,

    /// <summary>Its record failed the checksum (disk corruption): it cannot be replayed.</summary>
    Corrupt,
}
