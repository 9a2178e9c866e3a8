using System.Collections.Concurrent;
using VideoStreams.Media.Matroska;

namespace VideoStreams.Server.Live;

/// <summary>
/// The live hub: per stream, PutMedia publishes what it parses and in-memory subscribers (GetMedia's live edge, LL-HLS
/// later) receive it without touching the disk.
/// </summary>
/// <remarks>
/// API for readers (a singleton in DI):
/// <code>
/// using var sub = hub.Subscribe(streamId);          // registered at once: nothing published after this is missed
/// // … read the store up to its newest fragment (or sub.Recent for a retention-0 stream), then:
/// await foreach (var ev in sub.ReadAllAsync(ct))    // ends when the subscription is dropped or disposed
/// {
///     switch (ev.Kind)
///     {
///         case LiveEventKind.SessionStarted:    /* ev.Session.Info / Tracks: write an MKV header */ break;
///         case LiveEventKind.FragmentStarted:   /* ev.Fragment timestamps; frames follow */ break;
///         case LiveEventKind.Frame:             /* ev.Frame: low-latency readers */ break;
///         case LiveEventKind.FragmentReceived:  /* ev.Fragment.Number, .Media (the whole cluster) */ break;
///         case LiveEventKind.FragmentPersisted: /* ev.Fragment.Entry: durable, readable from the store */ break;
///         case LiveEventKind.FragmentRejected:  /* discard this fragment's frames */ break;
///         case LiveEventKind.SessionEnded:      break;
///     }
/// }
/// if (sub.Dropped) { /* too slow: resume from the store (e.g. after the last fragment number sent) */ }
/// </code>
/// When a session is running at Subscribe time, the first event is its SessionStarted (so the reader has the tracks),
/// then the events as they come: a subscriber may join mid-fragment, so frames before the next FragmentStarted belong
/// to a fragment whose start it did not see. Readers that do not want frames (GetMedia) say so and are not woken 30–60
/// times a second for nothing. Each subscriber has a bounded buffer (the capacity given to Subscribe, in events); when
/// publishing finds it full, the subscriber is dropped (its enumeration ends, <see cref="LiveSubscription.Dropped"/>
/// is true) and counted. Publishing never waits for a subscriber.
/// <para>
/// Retention-0 streams are never stored, so the hub keeps their recent FragmentReceived events (KVS's host buffer,
/// <see cref="LiveOptions"/>); a subscriber that asks for them gets them in <see cref="LiveSubscription.Recent"/>,
/// taken atomically with the registration: every fragment is either in Recent or among the events, never both.
/// </para>
/// </remarks>
internal sealed class LiveHub(LiveMetrics? metrics = null, LiveOptions? options = null, TimeProvider? time = null)
{
    /// <summary>Default per-subscriber buffer: a few seconds of 30 fps video with its fragment events.</summary>
    public const int DefaultCapacity = 1024;

    /// <summary>Volatile fragment numbers (retention-0 streams) are above this; the store's never reach it.</summary>
    public const long VolatileBase = 1L << 52;

    private readonly ConcurrentDictionary<long, StreamChannel> _streams = new();
    private readonly LiveOptions _options = options ?? new LiveOptions();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private long _sessionIds;

    // Retention-0 fragments are never stored, so the store gives them no number; these come from a range the store
    // does not reach (2^52 onwards), unique and increasing for the life of the process.
    private long _volatileNumbers = VolatileBase;

    /// <summary>A new session id.</summary>
    public long NextSessionId() => Interlocked.Increment(ref _sessionIds);

    /// <summary>A fragment number for a fragment of a retention-0 stream (live only, never in the store).</summary>
    public long NextVolatileNumber() => Interlocked.Increment(ref _volatileNumbers);

    /// <summary>True for a number from <see cref="NextVolatileNumber"/> (a retention-0 fragment).</summary>
    public static bool IsVolatile(long number) => number > VolatileBase;

    /// <summary>Subscribes to a stream's live events (the stream need not be ingesting yet).</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="capacity">Events buffered for this subscriber before it is dropped as too slow.</param>
    /// <param name="frames">False to receive everything but Frame events.</param>
    /// <param name="recent">True to get the retention-0 buffer in <see cref="LiveSubscription.Recent"/>.</param>
    public LiveSubscription Subscribe(long streamId, int capacity = DefaultCapacity, bool frames = true, bool recent = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 4);
        var stream = _streams.GetOrAdd(streamId, static _ => new StreamChannel());
        var subscription = new LiveSubscription(this, streamId, capacity, frames);
        lock (stream)
        {
            if (stream.Current is { } session)
            {
                subscription.TryWrite(new LiveEvent(LiveEventKind.SessionStarted, session));
            }

            if (recent && stream.Recent is { } buffer)
            {
                subscription.Recent = buffer.Snapshot(NowMs);
            }

            stream.Subscribers = [.. stream.Subscribers, subscription];
            stream.FrameSubscribers += frames ? 1 : 0;
        }

        metrics?.SubscriberAdded();
        return subscription;
    }

    /// <summary>True while a PutMedia session of the stream is running (its tracks are known).</summary>
    public bool IsIngesting(long streamId) => _streams.TryGetValue(streamId, out var s) && Volatile.Read(ref s.Current) is not null;

    /// <summary>Subscribers of a stream right now.</summary>
    public int SubscriberCount(long streamId) => _streams.TryGetValue(streamId, out var s) ? s.Subscribers.Length : 0;

    /// <summary>True when the stream has subscribers of any kind.</summary>
    public bool HasSubscribers(long streamId) => _streams.TryGetValue(streamId, out var s) && s.Subscribers.Length > 0;

    /// <summary>True when a subscriber takes frames (publishers skip copying frames otherwise).</summary>
    public bool HasFrameSubscribers(long streamId) => _streams.TryGetValue(streamId, out var s) && Volatile.Read(ref s.FrameSubscribers) > 0;

    /// <summary>
    /// Publishes one parsed frame to the subscribers that take frames; when there are none, does nothing (no copy).
    /// The frame's bytes are copied into the stream's <see cref="LiveFrameArena"/>: no allocation per frame.
    /// </summary>
    public void PublishFrame(long streamId, LiveSession session, in MatroskaFrame frame, long clusterTimestamp)
    {
        if (!_streams.TryGetValue(streamId, out var stream) || Volatile.Read(ref stream.FrameSubscribers) == 0)
        {
            return;
        }

        ReadOnlyMemory<byte> data;
        lock (stream)
        {
            data = stream.Arena.Copy(frame.Data);
        }

        Publish(streamId, new LiveEvent(LiveEventKind.Frame, session,
            Frame: new LiveFrame(frame.TrackNumber, frame.Timestamp, clusterTimestamp, frame.IsKeyframe, data)));
    }

    /// <summary>Publishes one event to every subscriber of the stream; drops those whose buffer is full.</summary>
    public void Publish(long streamId, LiveEvent ev)
    {
        var volatileFragment = ev.Kind == LiveEventKind.FragmentReceived && IsVolatile(ev.Fragment!.Number);
        if (!_streams.TryGetValue(streamId, out var stream))
        {
            if (ev.Kind != LiveEventKind.SessionStarted && !volatileFragment)
            {
                return;
            }

            stream = _streams.GetOrAdd(streamId, static _ => new StreamChannel());
        }

        LiveSubscription[] subscribers;
        lock (stream)
        {
            if (ev.Kind == LiveEventKind.SessionStarted)
            {
                stream.Current = ev.Session;
            }
            else if (ev.Kind == LiveEventKind.SessionEnded && ReferenceEquals(stream.Current, ev.Session))
            {
                stream.Current = null;
            }
            else if (volatileFragment)
            {
                (stream.Recent ??= new LiveRecentBuffer(_options)).Add(ev, NowMs);
            }

            subscribers = stream.Subscribers;
        }

        var frame = ev.Kind == LiveEventKind.Frame;
        foreach (var subscriber in subscribers)
        {
            if (frame && !subscriber.TakesFrames)
            {
                continue;
            }

            if (!subscriber.TryWrite(ev) && subscriber.Drop())
            {
                metrics?.SubscriberDropped();
            }
        }
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    internal void Remove(LiveSubscription subscription)
    {
        if (!_streams.TryGetValue(subscription.StreamId, out var stream))
        {
            return;
        }

        lock (stream)
        {
            var before = stream.Subscribers.Length;
            stream.Subscribers = Array.FindAll(stream.Subscribers, s => !ReferenceEquals(s, subscription));
            if (stream.Subscribers.Length < before)
            {
                stream.FrameSubscribers -= subscription.TakesFrames ? 1 : 0;
                metrics?.SubscriberRemoved();
            }
        }
    }

    private sealed class StreamChannel
    {
        public LiveSubscription[] Subscribers = [];
        public int FrameSubscribers;
        public LiveSession? Current;
        public LiveRecentBuffer? Recent;
        public readonly LiveFrameArena Arena = new();
    }
}
