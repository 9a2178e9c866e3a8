using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Index;

namespace VideoStreams.Storage.Tests.Index;

/// <summary>The brute-force answer to every index query, computed from a plain list of the live fragments.</summary>
internal sealed class FragmentModel
{
    public List<FragmentEntry> Fragments { get; } = [];

    public static long Start(FragmentEntry f, TimestampKind kind) =>
        kind == TimestampKind.Producer ? f.ProducerTimestampMs : f.ServerTimestampMs;

    public IEnumerable<FragmentEntry> Of(long stream) => Fragments.Where(f => f.StreamId == stream);

    public List<FragmentEntry> InRange(long stream, TimestampKind kind, long from, long to, bool descending)
    {
        var hits = Of(stream).Where(f => Start(f, kind) >= from && Start(f, kind) <= to);
        return (descending
            ? hits.OrderByDescending(f => Start(f, kind)).ThenByDescending(f => f.Number)
            : hits.OrderBy(f => Start(f, kind)).ThenBy(f => f.Number)).ToList();
    }

    public FragmentEntry? AtTime(long stream, TimestampKind kind, long t)
    {
        var containing = Of(stream).Where(f => Start(f, kind) <= t && t < Start(f, kind) + f.DurationMs)
            .OrderByDescending(f => Start(f, kind)).ThenByDescending(f => f.Number).ToList();
        if (containing.Count > 0)
        {
            return containing[0];
        }

        var after = Of(stream).Where(f => Start(f, kind) > t).OrderBy(f => Start(f, kind)).ThenBy(f => f.Number).ToList();
        return after.Count > 0 ? after[0] : null;
    }

    public (FragmentEntry First, FragmentEntry Last)? Extent(long stream, TimestampKind kind)
    {
        var all = Of(stream).OrderBy(f => Start(f, kind)).ThenBy(f => f.Number).ToList();
        return all.Count == 0 ? null : (all[0], all[^1]);
    }

    /// <summary>
    /// Gaps by a different method than the index: lay the range out as alternating integer points and open unit
    /// cells, mark what any fragment [start, end] touches, and report maximal untouched stretches.
    /// </summary>
    public List<TimeGap> Gaps(long stream, TimestampKind kind, long from, long to, long minGap)
    {
        var gaps = new List<TimeGap>();
        if (from > to)
        {
            return gaps;
        }

        var positions = (int)(2 * (to - from) + 1); // position 2k = point from+k, 2k+1 = cell (from+k, from+k+1)
        var touched = new bool[positions];
        foreach (var f in Of(stream))
        {
            var s = Start(f, kind);
            var e = s + f.DurationMs;
            var lo = Math.Max(0, 2 * (s - from));
            var hi = Math.Min(positions - 1, 2 * (e - from));
            for (var p = lo; p <= hi; p++)
            {
                touched[p] = true;
            }
        }

        var i = 0;
        while (i < positions)
        {
            if (touched[i])
            {
                i++;
                continue;
            }

            var j = i;
            while (j + 1 < positions && !touched[j + 1])
            {
                j++;
            }

            var gapStart = from + (i / 2);
            var gapEnd = from + ((j + 1) / 2);
            if (gapEnd - gapStart > minGap)
            {
                gaps.Add(new TimeGap(gapStart, gapEnd));
            }

            i = j + 1;
        }

        return gaps;
    }

    /// <summary>Coverage runs: spans merged when they overlap or are at most the tolerance apart.</summary>
    public List<CoverageInterval> Runs(long tolerance)
    {
        var runs = new List<CoverageInterval>();
        var spans = Fragments
            .SelectMany(f => new[]
            {
                new CoverageInterval(f.StreamId, TimestampKind.Producer, f.ProducerTimestampMs, f.ProducerTimestampMs + f.DurationMs),
                new CoverageInterval(f.StreamId, TimestampKind.Server, f.ServerTimestampMs, f.ServerTimestampMs + f.DurationMs),
            })
            .ToList();
        spans.Sort(CoverageInterval.Order);
        foreach (var span in spans)
        {
            if (runs.Count > 0 && runs[^1].SameSeries(span) && span.Start - runs[^1].End <= tolerance)
            {
                runs[^1] = runs[^1] with { End = Math.Max(runs[^1].End, span.End) };
            }
            else
            {
                runs.Add(span);
            }
        }

        return runs;
    }
}
