using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Streams;

namespace VideoStreams.Server.Playback.Timeline;

/// <summary>
/// Extent and gaps of a stream, for timelines (our own endpoints; errors are ProblemDetails naming the parameter).
/// Both answer from the index only: the extent from the first and last fragment on the clock, the gaps from the
/// index's coverage runs (or, below their tolerance, a scan of the fragments in the range).
/// </summary>
internal sealed class TimelineService(FragmentStore store, ILogger<TimelineService> logger)
{
    public IResult Extent(string name, string? clock)
    {
        if (Find(name, out var stream) is { } problem)
        {
            return problem;
        }

        if (!TimelineQuery.TryClock(clock, out var kind))
        {
            return Invalid("clock", $"clock must be producer or server (got \"{clock}\").");
        }

        var extent = store.Index.Extent(stream.Id, kind);
        ExtentOutput output;
        if (extent is not var (first, last))
        {
            output = new ExtentOutput(stream.Name, TimelineQuery.Name(kind), null, null, null, null, 0, null, null);
        }
        else
        {
            var head = Fragment(first, kind);
            var tail = Fragment(last, kind);
            output = new ExtentOutput(stream.Name, TimelineQuery.Name(kind), head.Start, head.StartMs, tail.End, tail.EndMs,
                store.Index.CountFragments(stream.Id), head, tail);
        }

        TimelineLog.Extent(logger, stream.Name, output.Clock, output.FragmentCount);
        return Results.Json(output, TimelineJson.Default.ExtentOutput);
    }

    public IResult Gaps(string name, string? start, string? end, string? clock, string? minGapMs)
    {
        if (Find(name, out var stream) is { } problem)
        {
            return problem;
        }

        if (!TimelineQuery.TryClock(clock, out var kind))
        {
            return Invalid("clock", $"clock must be producer or server (got \"{clock}\").");
        }

        if (!TimelineQuery.TryTime(start, out var fromMs))
        {
            return Invalid("start", start is null
                ? "start is required: an ISO-8601 time with a zone (e.g. 2026-11-26T13:00:00Z) or epoch milliseconds."
                : $"start must be an ISO-8601 time with a zone (e.g. 2026-11-26T13:00:00Z) or epoch milliseconds (got \"{start}\").");
        }

        if (!TimelineQuery.TryTime(end, out var toMs))
        {
            return Invalid("end", end is null
                ? "end is required: an ISO-8601 time with a zone (e.g. 2026-11-26T14:00:00Z) or epoch milliseconds."
                : $"end must be an ISO-8601 time with a zone (e.g. 2026-11-26T14:00:00Z) or epoch milliseconds (got \"{end}\").");
        }

        if (toMs <= fromMs)
        {
            return Invalid("end", "end must be after start.");
        }

        if (toMs - fromMs > (long)TimelineQuery.MaxRange.TotalMilliseconds)
        {
            return Invalid("end", $"end must be within {TimelineQuery.MaxRange.TotalDays:0} days of start.");
        }

        var minGap = TimelineQuery.DefaultMinGapMs;
        if (minGapMs is not null && (!long.TryParse(minGapMs, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out minGap)
            || minGap > (long)TimelineQuery.MaxRange.TotalMilliseconds))
        {
            return Invalid("minGapMs", $"minGapMs must be a whole number of milliseconds from 0 to {(long)TimelineQuery.MaxRange.TotalMilliseconds} (got \"{minGapMs}\").");
        }

        // Below the coverage tolerance the index scans every fragment in the range: keep that scan to a day.
        if (minGap < store.Index.CoverageToleranceMs && toMs - fromMs > (long)TimelineQuery.MaxScanRange.TotalMilliseconds)
        {
            return Invalid("minGapMs", $"minGapMs below {store.Index.CoverageToleranceMs} needs a range of at most {TimelineQuery.MaxScanRange.TotalHours:0} hours.");
        }

        var gaps = store.Index.Gaps(stream.Id, kind, fromMs, toMs, minGap);
        var items = gaps.Select(g => new GapOutput(TimelineTime.Iso(g.StartMs), g.StartMs, TimelineTime.Iso(g.EndMs), g.EndMs, g.EndMs - g.StartMs)).ToList();
        var total = items.Sum(g => g.DurationMs);
        var clockName = TimelineQuery.Name(kind);
        TimelineLog.Gaps(logger, stream.Name, clockName, items.Count, total);
        return Results.Json(
            new GapsOutput(stream.Name, clockName, TimelineTime.Iso(fromMs), fromMs, TimelineTime.Iso(toMs), toMs, minGap, total, items),
            TimelineJson.Default.GapsOutput);
    }

    private IResult? Find(string name, out StreamRecord stream)
    {
        stream = null!;
        var found = store.Streams.Describe(new StreamRef(name, null));
        if (found.IsSuccess)
        {
            stream = found.Value!;
            return null;
        }

        if (found.Error == StorageError.ResourceNotFound)
        {
            TimelineLog.Refused(logger, "name", "no such stream");
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Stream not found",
                detail: $"The stream \"{name}\" is not found or not active.",
                extensions: new Dictionary<string, object?> { ["parameter"] = "name" });
        }

        return Invalid("name", found.Message ?? "name is not a valid stream name.");
    }

    private IResult Invalid(string parameter, string detail)
    {
        TimelineLog.Refused(logger, parameter, detail);
        return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: $"Invalid parameter {parameter}", detail: detail,
            extensions: new Dictionary<string, object?> { ["parameter"] = parameter });
    }

    private static ExtentFragment Fragment(in FragmentEntry entry, TimestampKind kind)
    {
        var start = kind == TimestampKind.Producer ? entry.ProducerTimestampMs : entry.ServerTimestampMs;
        var end = start + entry.DurationMs;
        return new ExtentFragment(FragmentNumber.Format(entry.Number), TimelineTime.Iso(start), start, TimelineTime.Iso(end), end, entry.DurationMs);
    }
}
