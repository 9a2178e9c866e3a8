using Microsoft.Data.Sqlite;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Storage.Index;

public sealed partial class StorageIndex
{
    /// <summary>The fragment with this number, or null.</summary>
    public FragmentEntry? GetFragment(long number)
    {
        using var lease = RentReader();
        return ReadOne(lease.Connection.Command(Statement.GetFragment).Bind("$number", number));
    }

    /// <summary>The fragments with these numbers that exist, in the order asked (missing numbers are left out).</summary>
    public IReadOnlyList<FragmentEntry> GetFragments(ReadOnlySpan<long> numbers)
    {
        var fragments = new List<FragmentEntry>(numbers.Length);
        using var lease = RentReader();
        var command = lease.Connection.Command(Statement.GetFragment);
        foreach (var number in numbers)
        {
            if (ReadOne(command.Bind("$number", number)) is { } fragment)
            {
                fragments.Add(fragment);
            }
        }

        return fragments;
    }

    /// <summary>
    /// Fragments of a stream whose start on the given clock is within [<paramref name="fromMs"/>, <paramref name="toMs"/>]
    /// (both inclusive, as ListFragments), ordered by (timestamp, number), ascending or descending, one page at a time.
    /// </summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="kind">Producer or server clock.</param>
    /// <param name="fromMs">Earliest start, inclusive.</param>
    /// <param name="toMs">Latest start, inclusive.</param>
    /// <param name="limit">Page size (≥ 1).</param>
    /// <param name="after">The previous page's <see cref="FragmentPage.Next"/>, or null for the first page.</param>
    /// <param name="descending">Newest first.</param>
    public FragmentPage ListByTime(long streamId, TimestampKind kind, long fromMs, long toMs, int limit,
        FragmentCursor? after = null, bool descending = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        if (fromMs > toMs)
        {
            return FragmentPage.Empty;
        }

        // Without a cursor, start just outside the range: (from, MinValue) sorts before every row starting at from.
        var cursor = after ?? (descending ? new FragmentCursor(toMs, long.MaxValue) : new FragmentCursor(fromMs, long.MinValue));
        var lo = descending ? fromMs : Math.Max(fromMs, cursor.TimestampMs);
        var hi = descending ? Math.Min(toMs, cursor.TimestampMs) : toMs;
        if (lo > hi)
        {
            return FragmentPage.Empty;
        }

        using var lease = RentReader();
        var command = lease.Connection.Command(Statements.For(descending ? Statement.PageDescProducer : Statement.PageAscProducer, kind))
            .Bind("$stream", streamId)
            .Bind("$lo", lo)
            .Bind("$hi", hi)
            .Bind("$cts", cursor.TimestampMs)
            .Bind("$cnumber", cursor.Number);
        return ReadPage(command, limit, kind);
    }

    /// <summary>
    /// Fragments of a stream with a number greater than <paramref name="afterNumber"/>, in number order (ingestion
    /// order): what a GetMedia reader tails. Resume with <c>Next.Number</c>.
    /// </summary>
    public FragmentPage ListAfterNumber(long streamId, long afterNumber, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        using var lease = RentReader();
        var command = lease.Connection.Command(Statement.ListAfterNumber)
            .Bind("$stream", streamId)
            .Bind("$after", afterNumber);
        return ReadPage(command, limit, TimestampKind.Server);
    }

    /// <summary>
    /// The fragment containing the instant (start ≤ t &lt; start + duration; of several, the latest-starting), else
    /// the first fragment starting after it, else null.
    /// </summary>
    public FragmentEntry? FindAtTime(long streamId, TimestampKind kind, long timeMs)
    {
        using var lease = RentReader();
        var connection = lease.Connection;
        var containing = connection.Command(Statements.For(Statement.ContainingProducer, kind))
            .Bind("$stream", streamId)
            .Bind("$t", timeMs)
            .Bind("$lo", timeMs - Volatile.Read(ref _maxDurationMs));
        return ReadOne(containing)
            ?? ReadOne(connection.Command(Statements.For(Statement.StartingAfterProducer, kind)).Bind("$stream", streamId).Bind("$t", timeMs));
    }

    /// <summary>The stream's first and last fragments by start time on the given clock, or null if it has none.</summary>
    public (FragmentEntry First, FragmentEntry Last)? Extent(long streamId, TimestampKind kind)
    {
        using var lease = RentReader();
        var connection = lease.Connection;
        // One read transaction: both ends come from the same snapshot.
        using var tx = connection.Begin(write: false);
        var first = ReadOne(connection.Command(Statements.For(Statement.FirstProducer, kind)).Bind("$stream", streamId));
        var last = first is null ? null : ReadOne(connection.Command(Statements.For(Statement.LastProducer, kind)).Bind("$stream", streamId));
        tx.Commit();
        return first is { } f && last is { } l ? (f, l) : null;
    }

    /// <summary>The highest fragment number ever indexed (even if its chunk was removed since), or null.</summary>
    public long? MaxFragmentNumber()
    {
        using var lease = RentReader();
        var rows = lease.Connection.Command(Statement.MaxFragmentNumber).ScalarInt64();
        var mark = ReadMeta(lease.Connection, MetaKeys.MaxFragmentNumber);
        return rows is null ? mark : mark is null ? rows : Math.Max(rows.Value, mark.Value);
    }

    /// <summary>How many fragments are indexed, in all or in one stream.</summary>
    public long CountFragments(long? streamId = null)
    {
        using var lease = RentReader();
        var command = streamId is { } id
            ? lease.Connection.Command(Statement.CountStream).Bind("$stream", id)
            : lease.Connection.Command(Statement.CountAll);
        return command.ScalarInt64() ?? 0;
    }

    private static FragmentPage ReadPage(SqliteCommand command, int limit, TimestampKind cursorKind)
    {
        // One row more than asked says whether another page exists, so the last page carries no cursor.
        command.Bind("$limit", (long)limit + 1);
        var fragments = new List<FragmentEntry>(Math.Min(limit, 1024));
        var more = false;
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                if (fragments.Count == limit)
                {
                    more = true;
                    break;
                }

                fragments.Add(ReadFragment(reader));
            }
        }

        if (!more)
        {
            return new FragmentPage(fragments, null);
        }

        var last = fragments[^1];
        var ts = cursorKind == TimestampKind.Producer ? last.ProducerTimestampMs : last.ServerTimestampMs;
        return new FragmentPage(fragments, new FragmentCursor(ts, last.Number));
    }

    private static FragmentEntry? ReadOne(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadFragment(reader) : null;
    }

    private static FragmentEntry ReadFragment(SqliteDataReader reader) => new(
        Number: reader.GetInt64(0),
        StreamId: reader.GetInt64(1),
        ProducerTimestampMs: reader.GetInt64(2),
        ServerTimestampMs: reader.GetInt64(3),
        DurationMs: reader.GetInt32(4),
        Size: reader.GetInt32(5),
        ChunkId: reader.GetInt64(6),
        Offset: reader.GetInt64(7),
        Length: reader.GetInt32(8),
        Flags: (FragmentFlags)reader.GetInt32(9));
}
