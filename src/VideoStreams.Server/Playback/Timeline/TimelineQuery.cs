using System.Globalization;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Playback.Timeline;

/// <summary>
/// Query parameters of the timeline endpoints. Times are ISO-8601 with a zone (Z or an offset; a '+' must be sent
/// as %2B in a URL) or epoch milliseconds; the clock is <c>producer</c> or <c>server</c>.
/// </summary>
internal static class TimelineQuery
{
    /// <summary>The clock when none is asked for: the server's, as KVS's own playback selectors default to.</summary>
    public const TimestampKind DefaultClock = TimestampKind.Server;

    /// <summary>Longest range /gaps answers.</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(31);

    /// <summary>Longest range /gaps answers when minGapMs is below the index's coverage tolerance (a fragment scan).</summary>
    public static readonly TimeSpan MaxScanRange = TimeSpan.FromDays(1);

    /// <summary>
    /// Gaps reported when minGapMs is not given are longer than this: a second, well above a frame or the jitter of
    /// server arrival times, which a timeline should not show as holes.
    /// </summary>
    public const long DefaultMinGapMs = 1000;

    private static readonly long MaxEpochMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    public static bool TryClock(string? value, out TimestampKind clock)
    {
        clock = DefaultClock;
        switch (value)
        {
            case null:
                return true;
            case "producer":
                clock = TimestampKind.Producer;
                return true;
            case "server":
                clock = TimestampKind.Server;
                return true;
            default:
                return false;
        }
    }

    public static string Name(TimestampKind clock) => clock == TimestampKind.Producer ? "producer" : "server";

    /// <summary>Parses a time parameter: epoch milliseconds (digits only) or ISO-8601 with a zone.</summary>
    public static bool TryTime(string? value, out long epochMs)
    {
        epochMs = 0;
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        if (value.AsSpan().IndexOfAnyExceptInRange('0', '9') < 0)
        {
            return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out epochMs) && epochMs <= MaxEpochMs;
        }

        // yyyy-MM-ddTHH:mm:ss[.fff](Z|±hh:mm): an explicit zone, so nobody's local time is guessed.
        var zoned = value.EndsWith('Z') || (value.Length > 6 && value[^6] is '+' or '-' && value[^3] == ':');
        if (value.Length < 20 || value[4] != '-' || value[10] != 'T' || !zoned
            || !DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var time))
        {
            return false;
        }

        epochMs = time.ToUnixTimeMilliseconds();
        return epochMs >= 0;
    }
}
