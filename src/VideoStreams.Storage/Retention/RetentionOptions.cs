namespace VideoStreams.Storage.Retention;

/// <summary>
/// When the retention service runs and how much free space it keeps. Free-space eviction starts when free space falls
/// below the low watermark and retires the oldest chunks until it is back above the high watermark. Each watermark
/// is the larger of its byte and percent forms; set both forms of the low watermark to 0 to turn eviction off.
/// </summary>
public sealed record RetentionOptions
{
    /// <summary>How often expired fragments and chunks are removed. Default 30 s.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often free space is measured (cheap; a pass runs only when it is low). Default 5 s.</summary>
    public TimeSpan SpaceCheckInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Evict when fewer bytes than this are free. Default 1 GiB.</summary>
    public long LowWatermarkBytes { get; init; } = 1L << 30;

    /// <summary>Evict when less than this percentage of the disk is free. Default 5 %.</summary>
    public double LowWatermarkPercent { get; init; } = 5;

    /// <summary>Evict until at least this many bytes are free. Default 2 GiB.</summary>
    public long HighWatermarkBytes { get; init; } = 2L << 30;

    /// <summary>Evict until at least this percentage of the disk is free. Default 10 %.</summary>
    public double HighWatermarkPercent { get; init; } = 10;

    /// <summary>Free bytes below which eviction starts, for a disk of <paramref name="totalBytes"/>.</summary>
    public long LowWatermark(long totalBytes) => Math.Max(LowWatermarkBytes, Percent(totalBytes, LowWatermarkPercent));

    /// <summary>Free bytes eviction works back up to (never below the low watermark).</summary>
    public long HighWatermark(long totalBytes) =>
        Math.Max(LowWatermark(totalBytes), Math.Max(HighWatermarkBytes, Percent(totalBytes, HighWatermarkPercent)));

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An interval is not positive, or a watermark is negative or over 100 %.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Interval, TimeSpan.Zero, nameof(Interval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(SpaceCheckInterval, TimeSpan.Zero, nameof(SpaceCheckInterval));
        ArgumentOutOfRangeException.ThrowIfNegative(LowWatermarkBytes, nameof(LowWatermarkBytes));
        ArgumentOutOfRangeException.ThrowIfNegative(HighWatermarkBytes, nameof(HighWatermarkBytes));
        foreach (var (percent, name) in new[] { (LowWatermarkPercent, nameof(LowWatermarkPercent)), (HighWatermarkPercent, nameof(HighWatermarkPercent)) })
        {
            if (!(percent is >= 0 and <= 100))
            {
                throw new ArgumentOutOfRangeException(name, percent, "must be 0 to 100");
            }
        }
    }

    private static long Percent(long totalBytes, double percent) => (long)(totalBytes / 100.0 * percent);
}
