using System.Collections.Concurrent;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Index;

namespace VideoStreams.Server.Playback.Hls;

/// <summary>
/// Which fragments a session's media playlist lists, from the index (KVS-API.md §4 selection rules):
/// ON_DEMAND the oldest N of the range; LIVE_REPLAY from the range start, each fragment once its predecessor's
/// duration has elapsed since the session was created, the newest N of those; LIVE the newest N, never back-filling
/// (a window per session is kept in memory, so sequence numbers stay put and a producer pause keeps the last window).
/// With PRODUCER_TIMESTAMP and equal start times, the highest fragment number wins.
/// </summary>
internal sealed class HlsSelection(FragmentStore store, HlsPackager packager, TimeProvider time)
{
    private const int PageSize = 1000;
    private const long OpenEnd = long.MaxValue / 4;

    private readonly ConcurrentDictionary<long, LiveWindow> _live = new();

    public HlsWindow Window(HlsSession session) => session.Mode switch
    {
        HlsMode.OnDemand => OnDemand(session),
        HlsMode.LiveReplay => Replay(session),
        _ => Live(session),
    };

    /// <summary>The session's fragments in (timestamp, number) order from <paramref name="fromMs"/>, equal producer times collapsed.</summary>
    public IEnumerable<FragmentEntry> Ascending(HlsSession session, long fromMs, long toMs)
    {
        FragmentCursor? after = null;
        FragmentEntry? pending = null;
        while (true)
        {
            var page = store.Index.ListByTime(session.StreamId, session.Clock, fromMs, Math.Min(toMs, OpenEnd), PageSize, after);
            foreach (var f in page.Fragments)
            {
                if (pending is { } p && session.Clock == TimestampKind.Producer && p.ProducerTimestampMs == f.ProducerTimestampMs)
                {
                    // Same start: the later-ingested (higher number) replaces it.
                    pending = f;
                    continue;
                }

                if (pending is { } ready)
                {
                    yield return ready;
                }

                pending = f;
            }

            if (page.Next is not { } next)
            {
                break;
            }

            after = next;
        }

        if (pending is { } last)
        {
            yield return last;
        }
    }

    private HlsWindow OnDemand(HlsSession session)
    {
        var linker = new HlsLinker(session, packager, 0);
        var items = new List<HlsItem>();
        foreach (var entry in Ascending(session, session.StartMs, session.EndMs))
        {
            if (items.Count == session.MaxResults)
            {
                break;
            }

            items.Add(linker.Add(entry));
        }

        return new HlsWindow(items, 0, Target(items, 1), Ended: true);
    }

    private HlsWindow Replay(HlsSession session)
    {
        var elapsed = time.GetUtcNow().ToUnixTimeMilliseconds() - session.CreatedMs;
        var linker = new HlsLinker(session, packager, 0);
        var window = new Queue<HlsItem>(session.MaxResults + 1);
        long discontinuities = 0, released = 0;
        var target = 1;
        var exhausted = true;
        foreach (var entry in Ascending(session, session.StartMs, session.EndMs))
        {
            // The first fragment is there at once; each next one once its predecessor's duration has passed.
            if (linker.Last is not null && released > elapsed)
            {
                exhausted = false;
                break;
            }

            var item = linker.Add(entry);
            released += entry.DurationMs;
            target = Math.Max(target, Target([item], 1));
            window.Enqueue(item);
            if (window.Count > session.MaxResults && window.Dequeue().Discontinuity)
            {
                discontinuities++;
            }
        }

        // Ended once every fragment of a closed range has been released; an open range keeps growing until expiry.
        return new HlsWindow([.. window], discontinuities, target, Ended: exhausted && session.EndMs != long.MaxValue);
    }

    private HlsWindow Live(HlsSession session)
    {
        var window = _live.GetOrAdd(session.SessionId, static (_, s) => new LiveWindow(s), session);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (_live.Count > 64)
        {
            foreach (var (id, w) in _live)
            {
                if (w.ExpiresMs <= now)
                {
                    _live.TryRemove(id, out _);
                }
            }
        }

        lock (window)
        {
            var newest = store.Index.ListByTime(session.StreamId, session.Clock, session.StartMs, OpenEnd, session.MaxResults + 1, descending: true).Fragments;
            window.Linker ??= new HlsLinker(session, packager, 0);
            for (var i = newest.Count - 1; i >= 0; i--)
            {
                var f = newest[i];
                if (i > 0 && session.Clock == TimestampKind.Producer && newest[i - 1].ProducerTimestampMs == f.ProducerTimestampMs)
                {
                    continue; // the next one (higher number, same start) wins
                }

                if (window.Linker.Last is { } last && !IsAfter(session, f, last.Entry))
                {
                    continue; // LIVE never back-fills
                }

                var item = window.Linker.Add(f);
                window.Items.Add(item);
                window.Target = Math.Max(window.Target, Target([item], 1));
            }

            while (window.Items.Count > session.MaxResults)
            {
                if (window.Items[0].Discontinuity)
                {
                    window.DiscontinuitySequence++;
                }

                window.Items.RemoveAt(0);
            }

            return new HlsWindow([.. window.Items], window.DiscontinuitySequence, window.Target, Ended: false);
        }
    }

    private static bool IsAfter(HlsSession session, in FragmentEntry f, in FragmentEntry last)
    {
        var (a, b) = (session.Selected(f), session.Selected(last));
        return a > b || (a == b && session.Clock == TimestampKind.Server && f.Number > last.Number);
    }

    private static int Target(IReadOnlyList<HlsItem> items, int atLeast)
    {
        var target = atLeast;
        foreach (var item in items)
        {
            target = Math.Max(target, (int)Math.Round(Math.Round(item.Entry.DurationMs / 1000.0, 3), MidpointRounding.AwayFromZero));
        }

        return target;
    }

    private sealed class LiveWindow(HlsSession session)
    {
        public long ExpiresMs { get; } = session.ExpiresMs;

        public HlsLinker? Linker { get; set; }

        public List<HlsItem> Items { get; } = [];

        public long DiscontinuitySequence { get; set; }

        public int Target { get; set; } = 1;
    }
}
