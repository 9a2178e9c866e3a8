namespace VideoStreams.Producer.Upload;

/// <summary>
/// Reconnect delays: exponential growth with full jitter. Attempt <c>n</c> (from 0) waits a uniformly random time in
/// <c>[min, min(max, min·2^(n+1))]</c>, so a fleet that lost its server together does not come back in step; after
/// a session that made progress, <see cref="Reset"/> starts again from the bottom.
/// </summary>
internal sealed class ReconnectBackoff(TimeSpan min, TimeSpan max, Random random)
{
    private int _attempt;

    /// <summary>Failed attempts since the last reset.</summary>
    public int Attempt => _attempt;

    /// <summary>The upper bound of the next delay.</summary>
    public TimeSpan Ceiling
    {
        get
        {
            // 2^(n+1) overflows nothing: capped before it matters.
            var factor = _attempt >= 30 ? double.MaxValue : Math.Pow(2, _attempt + 1);
            var ticks = Math.Min(max.Ticks, min.Ticks * factor);
            return TimeSpan.FromTicks((long)Math.Max(min.Ticks, ticks));
        }
    }

    /// <summary>The delay before the next attempt; each call counts one more failed attempt.</summary>
    public TimeSpan Next()
    {
        var ceiling = Ceiling;
        _attempt++;
        return TimeSpan.FromTicks(min.Ticks + (long)(random.NextDouble() * (ceiling.Ticks - min.Ticks)));
    }

    /// <summary>Back to the shortest delays (after a session that made progress).</summary>
    public void Reset() => _attempt = 0;
}
