using System.Globalization;
using System.Text.Json.Serialization;

namespace VideoStreams.Server.Playback.Timeline;

// Answers of GET /v1/streams/{name}/extent and /gaps: every time both as ISO-8601 UTC text (millisecond precision)
// and as epoch milliseconds, so a web timeline can use either without parsing.

/// <summary>A fragment at one end of the extent.</summary>
internal sealed record ExtentFragment(string FragmentNumber, string Start, long StartMs, string End, long EndMs, int DurationMs);

/// <summary>
/// The stream's extent on one clock: from the first fragment's start to the last fragment's end (its start plus its
/// duration). All null, and a count of 0, for a stream without stored fragments.
/// </summary>
internal sealed record ExtentOutput(
    string Stream,
    string Clock,
    string? Start,
    long? StartMs,
    string? End,
    long? EndMs,
    long FragmentCount,
    ExtentFragment? First,
    ExtentFragment? Last);

/// <summary>A span without fragments.</summary>
internal sealed record GapOutput(string Start, long StartMs, string End, long EndMs, long DurationMs);

/// <summary>The spans of [start, end] longer than minGapMs that no fragment covers, in time order.</summary>
internal sealed record GapsOutput(
    string Stream,
    string Clock,
    string Start,
    long StartMs,
    string End,
    long EndMs,
    long MinGapMs,
    long TotalGapMs,
    IReadOnlyList<GapOutput> Gaps);

internal static class TimelineTime
{
    /// <summary>Epoch ms as ISO-8601 UTC with milliseconds, e.g. 2026-11-26T13:45:00.250Z.</summary>
    public static string Iso(long epochMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(epochMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ExtentOutput))]
[JsonSerializable(typeof(GapsOutput))]
internal sealed partial class TimelineJson : JsonSerializerContext;
