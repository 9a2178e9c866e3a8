using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Index;

namespace VideoStreams.Server.Playback.Clips;

/// <summary>
/// Which stored fragments make a clip. Two cut rules:
/// <list type="bullet">
/// <item>GetClip (KVS): fragments whose start is within [start, end], both inclusive; a fragment starting before start
/// is left out even if it covers it; at most <see cref="KvsMaxFragments"/> fragments and <see cref="KvsMaxBytes"/>.</item>
/// <item>Our endpoint: from the fragment containing start (so the clip covers what was asked; fragments begin with a
/// keyframe, so this is the keyframe at or before start) through the last fragment starting before end; no size
/// limit.</item>
/// </list>
/// Equal producer timestamps (a fragment sent twice) collapse to the oldest-ingested one.
/// </summary>
internal static class ClipSelection
{
    public const int KvsMaxFragments = 200;
    public const long KvsMaxBytes = 100L << 20;
    public const long MaxRangeMs = 24L * 60 * 60 * 1000;
    private const int PageSize = 1000;

    /// <summary>GetClip's selection (KVS-API.md §4, §5).</summary>
    public static List<FragmentEntry> Kvs(StorageIndex index, long streamId, TimestampKind kind, long startMs, long endMs)
    {
        var selected = new List<FragmentEntry>();
        long bytes = 0;
        foreach (var entry in Fragments(index, streamId, kind, startMs, endMs))
        {
            if (selected.Count == KvsMaxFragments || (selected.Count > 0 && bytes + entry.Size > KvsMaxBytes))
            {
                break;
            }

            selected.Add(entry);
            bytes += entry.Size;
        }

        return selected;
    }

    /// <summary>Our endpoint's selection: the fragment holding start, through the last one starting before end.</summary>
    public static List<FragmentEntry> Covering(StorageIndex index, long streamId, TimestampKind kind, long startMs, long endMs)
    {
        var from = startMs;
        if (index.FindAtTime(streamId, kind, startMs) is { } first && Start(first, kind) < startMs)
        {
            from = Start(first, kind);
        }

        return [.. Fragments(index, streamId, kind, from, endMs - 1)];
    }

    /// <summary>Fragments starting within [from, to] in time order, duplicates of a producer timestamp collapsed.</summary>
    private static IEnumerable<FragmentEntry> Fragments(StorageIndex index, long streamId, TimestampKind kind, long fromMs, long toMs)
    {
        FragmentCursor? after = null;
        var seen = new HashSet<long>();
        do
        {
            var page = index.ListByTime(streamId, kind, fromMs, toMs, PageSize, after);
            foreach (var entry in page.Fragments)
            {
                // Pages come in (time, number) order on either clock, so the first of equal producer times met is the
                // oldest-ingested when listing by producer time; by server time the original arrived first anyway.
                if (seen.Add(entry.ProducerTimestampMs))
                {
                    yield return entry;
                }
            }

            after = page.Next;
        }
        while (after is not null);
    }

    private static long Start(in FragmentEntry entry, TimestampKind kind) =>
        kind == TimestampKind.Producer ? entry.ProducerTimestampMs : entry.ServerTimestampMs;
}
