namespace VideoStreams.Storage.Index;

/// <summary>Tuning for <see cref="StorageIndex"/>. The defaults suit a server; tests may shrink them.</summary>
public sealed record StorageIndexOptions
{
    /// <summary>Reader connections kept open when idle. More concurrent readers open extra connections.</summary>
    public int ReaderPoolSize { get; init; } = Math.Max(4, Environment.ProcessorCount * 2);

    /// <summary>How long a statement waits for a lock held by another connection before failing.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Bytes of the database file each connection maps into memory (0 turns mapping off). Mapped pages are shared
    /// with the OS page cache, so many reader connections do not each keep a private copy of hot index pages.
    /// </summary>
    public long MmapSizeBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>
    /// Coverage runs merge fragments whose gap is at most this many milliseconds, so that fragments that do not
    /// tile exactly (a millisecond of rounding between them) still form one run. Gap queries with a threshold of
    /// at least this value are answered from the runs; smaller thresholds fall back to scanning fragments.
    /// Applied when the database is created; an existing database keeps the value it was created with.
    /// </summary>
    public long CoverageToleranceMs { get; init; } = 50;

    /// <summary>
    /// How often a background timer checkpoints the WAL into the database file, instead of SQLite doing it inside
    /// the commit that crosses its threshold. Zero or negative leaves checkpoints to SQLite.
    /// </summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(1);
}
