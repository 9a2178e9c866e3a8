namespace VideoStreams.Media.Remux;

/// <summary>Conversions between Matroska timestamp ticks and track timescales, exact for KVS's epoch-based times.</summary>
public static class MediaTime
{
    private const long NanosPerSecond = 1_000_000_000;

    /// <summary>Timescale used for video tracks: 90 kHz, the MPEG convention, exact for millisecond input.</summary>
    public const uint VideoTimescale = 90_000;

    /// <summary>
    /// Converts <paramref name="ticks"/> of <paramref name="timestampScale"/> nanoseconds to units of 1/<paramref name="timescale"/> s,
    /// rounding to nearest. 128-bit intermediate: KVS ABSOLUTE cluster times are epoch milliseconds, whose nanosecond
    /// value (~1.7e21) overflows a long.
    /// </summary>
    public static long ToTimescale(long ticks, ulong timestampScale, uint timescale)
    {
        var scaled = (Int128)ticks * timestampScale * timescale;
        var half = ticks >= 0 ? NanosPerSecond / 2 : -NanosPerSecond / 2;
        return (long)((scaled + half) / NanosPerSecond);
    }

    /// <summary>Converts a time in a track timescale to seconds.</summary>
    public static double ToSeconds(long time, uint timescale) => (double)time / timescale;
}
