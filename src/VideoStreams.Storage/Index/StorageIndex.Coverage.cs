using VideoStreams.Storage.Fragments;

namespace VideoStreams.Storage.Index;

// Coverage runs: per stream and clock, the union of the fragments' spans [start, start + duration] with gaps of at
// most the tolerance filled, kept as disjoint sorted rows. Invariant: every run starts at some fragment's start and
// ends at some fragment's end, and neighbouring runs are more than the tolerance apart. So a gap longer than the
// tolerance is exactly a space between runs, and gaps over a day of one-second fragments read a handful of rows.
public sealed partial class StorageIndex
{
    private readonly List<CoverageInterval> _coverageScratch = [];

    /// <summary>Merges new fragments' spans into the runs (inside the caller's write transaction).</summary>
    private void AddCoverage(IndexConnection writer, List<CoverageInterval> intervals)
    {
        intervals.Sort(CoverageInterval.Order);
        var i = 0;
        while (i < intervals.Count)
        {
            // Merge the batch first: a stream's fragments in one group usually form one span.
            var run = intervals[i++];
            while (i < intervals.Count && intervals[i].SameSeries(run) && intervals[i].Start - run.End <= _toleranceMs)
            {
                run = run with { End = Math.Max(run.End, intervals[i].End) };
                i++;
            }

            MergeRun(writer, run);
        }
    }

    private void MergeRun(IndexConnection writer, CoverageInterval run)
    {
        var lo = run.Start;
        var hi = run.End;
        var merged = 0;
        long minStart = 0, maxStart = 0, onlyEnd = 0;
        var select = writer.Raw(Statement.CoverageAtOrBefore);
        select.Bind(1, run.StreamId);
        select.Bind(2, (long)run.Kind);
        select.Bind(3, run.End + _toleranceMs);
        try
        {
            // Newest first; runs are disjoint, so their ends decrease too and the first one too far left ends it.
            while (select.Read())
            {
                var start = select.Int64(0);
                var end = select.Int64(1);
                if (end < run.Start - _toleranceMs)
                {
                    break;
                }

                if (merged++ == 0)
                {
                    maxStart = start;
                    onlyEnd = end;
                }

                minStart = start;
                lo = Math.Min(lo, start);
                hi = Math.Max(hi, end);
            }
        }
        finally
        {
            select.Reset();
        }

        if (merged == 1 && minStart == lo)
        {
            // The common case: the stream's last run grows at its end.
            if (hi != onlyEnd)
            {
                var update = writer.Raw(Statement.CoverageUpdateEnd);
                update.Bind(1, run.StreamId);
                update.Bind(2, (long)run.Kind);
                update.Bind(3, minStart);
                update.Bind(4, hi);
                update.Execute();
            }

            return;
        }

        if (merged > 0)
        {
            DeleteRuns(writer, run.StreamId, run.Kind, minStart, maxStart);
        }

        InsertRun(writer, run.StreamId, run.Kind, lo, hi);
    }

    /// <summary>
    /// Rebuilds the runs that held removed fragments (whose rows are already deleted). Within a run [rs, re], the
    /// removed spans lie in [lo, hi]; what the remaining fragments cover left of lo − tolerance and right of
    /// hi + tolerance is unchanged and still one run each side, so only fragments near [lo, hi] are read back:
    /// removing the oldest chunk of a month-long run reads a chunk's worth of rows, not the month.
    /// </summary>
    private void RepairCoverage(IndexConnection writer, List<CoverageInterval> removed)
    {
        removed.Sort(CoverageInterval.Order);
        var runs = new List<(long Start, long End)>();
        var i = 0;
        while (i < removed.Count)
        {
            var first = i;
            var hi = removed[i].End;
            while (i < removed.Count && removed[i].SameSeries(removed[first]))
            {
                hi = Math.Max(hi, removed[i].End);
                i++;
            }

            var series = removed[first];
            runs.Clear();
            ReadRuns(writer, series.StreamId, series.Kind, series.Start, hi, runs);
            var k = first;
            foreach (var (runStart, runEnd) in runs)
            {
                while (k < i && removed[k].Start < runStart)
                {
                    k++;
                }

                if (k >= i || removed[k].Start > runEnd)
                {
                    continue;
                }

                var removedLo = removed[k].Start;
                var removedHi = long.MinValue;
                while (k < i && removed[k].Start <= runEnd)
                {
                    removedHi = Math.Max(removedHi, removed[k].End);
                    k++;
                }

                RebuildRun(writer, series.StreamId, series.Kind, runStart, runEnd, removedLo, removedHi);
            }
        }
    }

    private void RebuildRun(IndexConnection writer, long streamId, TimestampKind kind, long runStart, long runEnd, long removedLo, long removedHi)
    {
        DeleteRuns(writer, streamId, kind, runStart, runStart);
        var left = removedLo - _toleranceMs;
        var right = removedHi + _toleranceMs;
        var pieces = _coverageScratch;
        pieces.Clear();
        if (runStart < left)
        {
            pieces.Add(new CoverageInterval(streamId, kind, runStart, left));
        }

        if (right < runEnd)
        {
            pieces.Add(new CoverageInterval(streamId, kind, right, runEnd));
        }

        var scanFrom = Math.Max(runStart, left - Volatile.Read(ref _maxDurationMs));
        var scan = writer.Command(Statements.For(Statement.IntervalsProducer, kind))
            .Bind("$stream", streamId).Bind("$lo", scanFrom).Bind("$hi", Math.Min(runEnd, right));
        using (var reader = scan.ExecuteReader())
        {
            while (reader.Read())
            {
                var start = reader.GetInt64(0);
                pieces.Add(new CoverageInterval(streamId, kind, start, start + reader.GetInt64(1)));
            }
        }

        pieces.Sort(CoverageInterval.Order);
        var p = 0;
        while (p < pieces.Count)
        {
            var run = pieces[p++];
            while (p < pieces.Count && pieces[p].Start - run.End <= _toleranceMs)
            {
                run = run with { End = Math.Max(run.End, pieces[p].End) };
                p++;
            }

            InsertRun(writer, streamId, kind, run.Start, run.End);
        }
    }

    private static void ReadRuns(IndexConnection connection, long streamId, TimestampKind kind, long lo, long hi, List<(long Start, long End)> runs)
    {
        var command = connection.Command(Statement.CoverageInRange)
            .Bind("$stream", streamId).Bind("$kind", (int)kind).Bind("$lo", lo).Bind("$hi", hi);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            runs.Add((reader.GetInt64(0), reader.GetInt64(1)));
        }
    }

    private static void DeleteRuns(IndexConnection writer, long streamId, TimestampKind kind, long fromStart, long toStart) =>
        writer.Command(Statement.CoverageDeleteRange)
            .Bind("$stream", streamId).Bind("$kind", (int)kind).Bind("$lo", fromStart).Bind("$hi", toStart)
            .ExecuteNonQuery();

    private static void InsertRun(IndexConnection writer, long streamId, TimestampKind kind, long start, long end)
    {
        var insert = writer.Raw(Statement.CoverageInsert);
        insert.Bind(1, streamId);
        insert.Bind(2, (long)kind);
        insert.Bind(3, start);
        insert.Bind(4, end);
        insert.Execute();
    }

    /// <summary>Every coverage run (for tests and diagnostics): stream, clock, start, end.</summary>
    internal IReadOnlyList<CoverageInterval> CoverageRuns()
    {
        using var lease = RentReader();
        var runs = new List<CoverageInterval>();
        using var reader = lease.Connection.Command(Statement.CoverageAll).ExecuteReader();
        while (reader.Read())
        {
            runs.Add(new CoverageInterval(reader.GetInt64(0), (TimestampKind)reader.GetInt32(1), reader.GetInt64(2), reader.GetInt64(3)));
        }

        return runs;
    }
}
