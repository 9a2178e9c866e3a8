namespace VideoStreams.Storage.Retention;

/// <summary>When a stream's fragments expire: the one rule the store and the retention service share.</summary>
internal static class RetentionPolicy
{
    private const long MsPerHour = 3_600_000;

    /// <summary>
    /// Fragments whose server time is before this have outlived the stream's retention. Retention 0 keeps nothing
    /// (a stream decreased to 0 loses everything it had), so every fragment is before the cutoff.
    /// </summary>
    public static long CutoffMs(int retentionHours, long nowMs) =>
        retentionHours <= 0 ? long.MaxValue : nowMs - (retentionHours * MsPerHour);
}
