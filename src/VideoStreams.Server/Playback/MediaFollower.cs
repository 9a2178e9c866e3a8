using System.Globalization;
using VideoStreams.Server.Live;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Playback;

/// <summary>Where a GetMedia response on a retention-0 stream starts, resolved against the hub's buffer.</summary>
internal enum RecentStartKind
{
    /// <summary>The newest buffered fragment, then live.</summary>
    Now,
    /// <summary>The oldest buffered fragment.</summary>
    Earliest,
    /// <summary>The first buffered fragment numbered after <see cref="RecentStart.Number"/>.</summary>
    AfterNumber,
    /// <summary>The buffered fragment containing <see cref="RecentStart.TimeMs"/>, else the first after it.</summary>
    AtTime,
}

/// <summary>A StartSelector for a retention-0 stream.</summary>
internal readonly record struct RecentStart(RecentStartKind Kind, long Number = 0, TimestampKind Clock = TimestampKind.Server, long TimeMs = 0);

/// <summary>
/// One GetMedia response that follows the live edge. Stored streams: fragments come from the index in number order;
/// at the live edge the reader wakes on the store's commit (<see cref="LiveEdge"/>, raised right after the index
/// commit) or on a hub event, and serves the new fragment from the bytes the hub handed over at RECEIVED (the same
/// bytes the store keeps), so PERSISTED → reader costs no disk read, no polling and no timer. Retention-0 streams:
/// never stored, so the hub's recent buffer (KVS's host buffer) answers the selector and each FragmentReceived is
/// written as it comes. A reader too slow for the hub is dropped there and resumes where it was (from the store, or
/// from the hub's buffer).
/// </summary>
internal sealed class MediaFollower
{
    private const int PageSize = 64;

    // GetMedia subscribes without frames: about three events per fragment, so this is ~20 fragments of slack.
    private const int SubscriptionCapacity = 64;

    // Stored fragments received but not committed yet; more than a few means commits lag: read those from the store.
    private const int MaxHeld = 16;

    private readonly FragmentStore _store;
    private readonly LiveHub _hub;
    private readonly LiveEdge _edge;
    private readonly TimeProvider _time;
    private readonly HttpResponse _response;
    private readonly MediaChunkWriter _writer;
    private readonly long _streamId;
    private readonly Dictionary<long, LiveEvent> _held = [];
    private LiveSubscription? _live;
    private long _afterStored;
    private long _afterVolatile;

    private MediaFollower(FragmentStore store, LiveHub hub, LiveEdge edge, TimeProvider time, HttpResponse response, long streamId)
    {
        _store = store;
        _hub = hub;
        _edge = edge;
        _time = time;
        _response = response;
        _writer = new MediaChunkWriter(response.BodyWriter);
        _streamId = streamId;
    }

    /// <summary>Serves a stored stream from the fragment after <paramref name="after"/>, then follows it.</summary>
    public static async Task FollowStoredAsync(FragmentStore store, LiveHub hub, LiveEdge edge, TimeProvider time,
        HttpResponse response, long streamId, long after, CancellationToken cancel)
    {
        var follower = new MediaFollower(store, hub, edge, time, response, streamId) { _afterStored = after };
        try
        {
            await follower.FollowStoredAsync(cancel);
        }
        finally
        {
            follower._live?.Dispose();
        }
    }

    /// <summary>Serves a retention-0 stream from the hub's buffer as <paramref name="start"/> says, then follows it.</summary>
    public static async Task FollowRecentAsync(FragmentStore store, LiveHub hub, LiveEdge edge, TimeProvider time,
        HttpResponse response, long streamId, RecentStart start, CancellationToken cancel)
    {
        var follower = new MediaFollower(store, hub, edge, time, response, streamId);
        try
        {
            await follower.FollowRecentAsync(start, cancel);
        }
        finally
        {
            follower._live?.Dispose();
        }
    }

    private async Task FollowStoredAsync(CancellationToken cancel)
    {
        // Headers at once, as KVS answers: a client waiting at an idle stream's live edge knows it is connected.
        await _response.StartAsync(cancel);
        await _response.BodyWriter.FlushAsync(cancel);
        while (true)
        {
            // Taken before looking in the index, so a commit between the look and the wait still wakes us.
            var commit = _edge.NextCommit(_streamId);
            if (!await DrainAsync(cancel) || !await ServeStoredAsync(cancel))
            {
                return;
            }

            // Subscribed once caught up (a long catch-up would only overflow the subscription), and again after a drop.
            if (_live is null || _live.Reader.Completion.IsCompleted)
            {
                _live?.Dispose();
                _held.Clear();
                _live = _hub.Subscribe(_streamId, SubscriptionCapacity, frames: false);
                continue;
            }

            await Task.WhenAny(commit, _live.Reader.WaitToReadAsync(cancel).AsTask());
            cancel.ThrowIfCancellationRequested();
        }
    }

    private async Task FollowRecentAsync(RecentStart start, CancellationToken cancel)
    {
        _live = _hub.Subscribe(_streamId, SubscriptionCapacity, frames: false, recent: true);
        await _response.StartAsync(cancel);
        await _response.BodyWriter.FlushAsync(cancel);
        var recent = _live.Recent;
        var from = Resolve(recent, start);
        // Fragments the selector skips count as served: the live events that follow are all newer.
        _afterVolatile = from > 0 ? recent[from - 1].Fragment!.Number : 0;
        for (var i = from; i < recent.Count; i++)
        {
            if (!await WriteLiveAsync(recent[i], cancel))
            {
                return;
            }
        }

        while (true)
        {
            if (!await DrainAsync(cancel))
            {
                return;
            }

            if (_live.Reader.Completion.IsCompleted)
            {
                // Dropped for being slow: resume from the hub's buffer after the last fragment written.
                _live.Dispose();
                _live = _hub.Subscribe(_streamId, SubscriptionCapacity, frames: false, recent: true);
                foreach (var ev in _live.Recent)
                {
                    if (ev.Fragment!.Number > _afterVolatile && !await WriteLiveAsync(ev, cancel))
                    {
                        return;
                    }
                }

                continue;
            }

            await _live.Reader.WaitToReadAsync(cancel);
        }
    }

    /// <summary>Index in <paramref name="recent"/> of the first fragment to serve (Count: none, start at the live edge).</summary>
    internal static int Resolve(IReadOnlyList<LiveEvent> recent, RecentStart start)
    {
        switch (start.Kind)
        {
            case RecentStartKind.Earliest:
                return 0;
            case RecentStartKind.Now:
                return Math.Max(0, recent.Count - 1);
            case RecentStartKind.AfterNumber:
                for (var i = 0; i < recent.Count; i++)
                {
                    if (recent[i].Fragment!.Number > start.Number)
                    {
                        return i;
                    }
                }

                return recent.Count;
            default:
                // As the index's FindAtTime: the latest-starting fragment containing the instant (audio may make a
                // fragment overlap the next one), else the first starting after it.
                var containing = -1;
                for (var i = 0; i < recent.Count; i++)
                {
                    var f = recent[i].Fragment!;
                    var begins = start.Clock == TimestampKind.Producer ? f.ProducerTimestampMs : f.ServerTimestampMs;
                    if (begins > start.TimeMs)
                    {
                        return containing >= 0 ? containing : i;
                    }

                    if (start.TimeMs < begins + Math.Max(1, f.DurationMs))
                    {
                        containing = i;
                    }
                }

                return containing >= 0 ? containing : recent.Count;
        }
    }

    /// <summary>Handles the events waiting: retention-0 fragments are written, stored ones held until committed.</summary>
    private async ValueTask<bool> DrainAsync(CancellationToken cancel)
    {
        if (_live is null)
        {
            return true;
        }

        while (_live.Reader.TryRead(out var ev))
        {
            if (ev.Kind != LiveEventKind.FragmentReceived)
            {
                continue;
            }

            var number = ev.Fragment!.Number;
            if (LiveHub.IsVolatile(number))
            {
                // Also on a stored stream: a session that began while its retention was 0 is never stored.
                if (number > _afterVolatile && !await WriteLiveAsync(ev, cancel))
                {
                    return false;
                }
            }
            else if (number > _afterStored && _held.Count < MaxHeld)
            {
                _held[number] = ev;
            }
        }

        return true;
    }

    /// <summary>Writes every committed fragment after the last one served; false when the reader went away.</summary>
    private async ValueTask<bool> ServeStoredAsync(CancellationToken cancel)
    {
        while (true)
        {
            var page = _store.Index.ListAfterNumber(_streamId, _afterStored, PageSize);
            if (page.Fragments.Count == 0)
            {
                return true;
            }

            foreach (var entry in page.Fragments)
            {
                var behind = Math.Max(0, NowMs - entry.ServerTimestampMs - entry.DurationMs);
                var token = FragmentNumber.Format(entry.Number);
                if (_held.Remove(entry.Number, out var held))
                {
                    // The bytes the hub handed over at RECEIVED are the bytes the store committed: no disk read.
                    var f = held.Fragment!;
                    _writer.WriteFragment(entry.Number, entry.ServerTimestampMs, entry.ProducerTimestampMs, f.Tags, f.Media.Span,
                        behind, token, SessionOf(held));
                }
                else
                {
                    StorageResult<StoredFragment> read;
                    try
                    {
                        read = _store.Read(entry);
                    }
                    catch (CorruptSegmentException)
                    {
                        // Never serve damaged media: say so in KVS's error chunk and end the response.
                        _writer.WriteError(ErrorTags(5000, "INTERNAL_ERROR", token));
                        await _response.BodyWriter.FlushAsync(cancel);
                        return false;
                    }

                    if (read.IsSuccess)
                    {
                        _writer.WriteFragment(read.Value!, behind, token);
                    }
                    else
                    {
                        // Retention removed it between the listing and the read: KVS's 4000, then go on.
                        _writer.WriteError(ErrorTags(4000, "FRAGMENT_NOT_FOUND", token));
                    }
                }

                _afterStored = entry.Number;
                if (!await FlushAsync(cancel))
                {
                    return false;
                }
            }

            if (_held.Count > 0)
            {
                foreach (var number in _held.Keys.Where(n => n <= _afterStored).ToList())
                {
                    _held.Remove(number);
                }
            }
        }
    }

    private async ValueTask<bool> WriteLiveAsync(LiveEvent ev, CancellationToken cancel)
    {
        var f = ev.Fragment!;
        var behind = Math.Max(0, NowMs - f.ServerTimestampMs - f.DurationMs);
        _writer.WriteFragment(f.Number, f.ServerTimestampMs, f.ProducerTimestampMs, f.Tags, f.Media.Span,
            behind, FragmentNumber.Format(f.Number), SessionOf(ev));
        _afterVolatile = f.Number;
        return await FlushAsync(cancel);
    }

    private async ValueTask<bool> FlushAsync(CancellationToken cancel)
    {
        var flushed = await _response.BodyWriter.FlushAsync(cancel);
        return !flushed.IsCompleted && !flushed.IsCanceled;
    }

    private static (Media.Matroska.MatroskaSegmentInfo, IReadOnlyList<Media.Matroska.MatroskaTrack>)? SessionOf(LiveEvent ev) =>
        ev.Session.Tracks.Count > 0 ? (ev.Session.Info, ev.Session.Tracks) : null;

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    internal static KeyValuePair<string, string>[] ErrorTags(int id, string code, string fragmentNumber) =>
    [
        new(MediaChunkWriter.FragmentNumberTag, fragmentNumber),
        new("AWS_KINESISVIDEO_ERROR_CODE", code),
        new("AWS_KINESISVIDEO_ERROR_ID", id.ToString(CultureInfo.InvariantCulture)),
    ];
}
