using VideoStreams.Storage.Fragments;

namespace VideoStreams.Storage.Index;

public sealed partial class StorageIndex
{
    /// <summary>
    /// Spans within [<paramref name="fromMs"/>, <paramref name="toMs"/>] covered by no fragment's
    /// [start, start + duration], longer than <paramref name="minGapMs"/>, in time order. The uncovered part before
    /// the first fragment and after the last one in the range count as gaps too.
    /// </summary>
    /// <remarks>
    /// With <paramref name="minGapMs"/> at least <see cref="CoverageToleranceMs"/> the answer comes from the coverage
    /// runs (a few rows per day of continuous recording); a smaller threshold scans the fragments in the range.
    /// </remarks>
    public IReadOnlyList<TimeGap> Gaps(long streamId, TimestampKind kind, long fromMs, long toMs, long minGapMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minGapMs);
        var gaps = new List<TimeGap>();
        if (fromMs > toMs)
        {
            return gaps;
        }

        var cursor = fromMs;
        using var lease = RentReader();
        if (minGapMs >= _toleranceMs)
        {
            var command = lease.Connection.Command(Statement.CoverageInRange)
                .Bind("$stream", streamId).Bind("$kind", (int)kind).Bind("$lo", fromMs).Bind("$hi", toMs);
            using var reader = command.ExecuteReader();
            while (reader.Read() && cursor < toMs)
            {
                Step(gaps, ref cursor, reader.GetInt64(0), reader.GetInt64(1), minGapMs);
            }
        }
        else
        {
            var command = lease.Connection.Command(Statements.For(Statement.IntervalsProducer, kind))
                .Bind("$stream", streamId).Bind("$lo", fromMs - Volatile.Read(ref _maxDurationMs)).Bind("$hi", toMs);
            using var reader = command.ExecuteReader();
            while (reader.Read() && cursor < toMs)
            {
                var start = reader.GetInt64(0);
                Step(gaps, ref cursor, start, start + reader.GetInt64(1), minGapMs);
            }
        }

        if (toMs - cursor > minGapMs)
        {
            gaps.Add(new TimeGap(cursor, toMs));
        }

        return gaps;
    }

    // Spans arrive sorted by start; cursor is the furthest point covered so far (or the range start).
    private static void Step(List<TimeGap> gaps, ref long cursor, long start, long end, long minGapMs)
    {
        if (start - cursor > minGapMs)
        {
            gaps.Add(new TimeGap(cursor, start));
        }

        cursor = Math.Max(cursor, end);
    }
}
