using System.Collections.Concurrent;
using System.Threading.Channels;

namespace VideoStreams.Server.Live;

/// <summary>
/// The live hub: per stream, PutMedia publishes what it parses and in-memory subscribers (GetMedia's live edge, LL-HLS
/// later) receive it without touching the disk.
/// </summary>
/// <remarks>
/// API for readers (a singleton in DI):
/// <code>
/// using var sub = hub.Subscribe(streamId);          // registered at once: nothing published after this is missed
/// // … read the store up to its newest fragment, then:
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
/// to a fragment whose start it did not see. Each subscriber has a bounded buffer (the capacity given to Subscribe, in events);
/// when publishing finds it full, the subscriber is dropped (its enumeration ends, <see cref="LiveSubscription.Dropped"/>
/// is true) and counted. Publishing never waits for a subscriber.
/// </remarks>
internal sealed class LiveHub(LiveMetrics? metrics = null)
{
    /// <summary>Default per-subscriber buffer: a few seconds of 30 fps video with its fragment events.</summary>
    public const int DefaultCapacity = 1024;

    private readonly ConcurrentDictionary<long, StreamChannel> _streams = new();
    private long _sessionIds;

    // Retention-0 fragments are never stored, so the store gives them no number; these come from a range the store
    // does not reach (2^52 onwards), unique for the life of the process.
    private long _volatileNumbers = 1L << 52;

    /// <summary>A new session id.</summary>
    public long NextSessionId() => Interlocked.Increment(ref _sessionIds);

    /// <summary>A fragment number for a fragment of a retention-0 stream (live only, never in the store).</summary>
    public long NextVolatileNumber() => Interlocked.Increment(ref _volatileNumbers);

    /// <summary>Subscribes to a stream's live events (the stream need not be ingesting yet).</summary>
    public LiveSubscription Subscribe(long streamId, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 4);
        var stream = _streams.GetOrAdd(streamId, static _ => new StreamChannel());
        var subscription = new LiveSubscription(this, streamId, capacity);
        lock (stream)
        {
            if (stream.Current is { } session)
            {
                subscription.TryWrite(new LiveEvent(LiveEventKind.SessionStarted, session));
            }

            stream.Subscribers = [.. stream.Subscribers, subscription];
        }

        metrics?.SubscriberAdded();
        return subscription;
    }

    /// <summary>Subscribers of a stream right now.</summary>
    public int SubscriberCount(long streamId) => _streams.TryGetValue(streamId, out var s) ? s.Subscribers.Length : 0;

    /// <summary>Publishes one event to every subscriber of the stream; drops those whose buffer is full.</summary>
    public void Publish(long streamId, LiveEvent ev)
    {
        if (!_streams.TryGetValue(streamId, out var stream))
        {
            if (ev.Kind != LiveEventKind.SessionStarted)
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

            subscribers = stream.Subscribers;
        }

        foreach (var subscriber in subscribers)
        {
            if (!subscriber.TryWrite(ev))
            {
                subscriber.Drop();
                metrics?.SubscriberDropped();
            }
        }
    }

    /// <summary>True when the stream has subscribers (publishers skip copying frames otherwise).</summary>
    public bool HasSubscribers(long streamId) => _streams.TryGetValue(streamId, out var s) && s.Subscribers.Length > 0;

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
                metrics?.SubscriberRemoved();
            }
        }
    }

    private sealed class StreamChannel
    {
        public LiveSubscription[] Subscribers = [];
        public LiveSession? Current;
    }
}

/// <summary>One subscriber of a stream's live events; dispose it to unsubscribe.</summary>
internal sealed class LiveSubscription : IDisposable
{
    private readonly LiveHub _hub;
    private readonly Channel<LiveEvent> _channel;

    internal LiveSubscription(LiveHub hub, long streamId, int capacity)
    {
        _hub = hub;
        StreamId = streamId;
        _channel = Channel.CreateBounded<LiveEvent>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails instead of waiting: that is our "drop" signal
        });
    }

    /// <summary>The stream subscribed to.</summary>
    public long StreamId { get; }

    /// <summary>True when the subscriber fell behind and was dropped; its events ended early.</summary>
    public bool Dropped { get; private set; }

    /// <summary>The events, until the subscription is dropped or disposed (or <paramref name="cancellationToken"/>).</summary>
    public IAsyncEnumerable<LiveEvent> ReadAllAsync(CancellationToken cancellationToken = default) => _channel.Reader.ReadAllAsync(cancellationToken);

    /// <summary>The underlying reader, for callers that want WaitToReadAsync/TryRead.</summary>
    public ChannelReader<LiveEvent> Reader => _channel.Reader;

    internal bool TryWrite(LiveEvent ev) => _channel.Writer.TryWrite(ev);

    internal void Drop()
    {
        Dropped = true;
        _channel.Writer.TryComplete();
        _hub.Remove(this);
    }

    /// <summary>Unsubscribes.</summary>
    public void Dispose()
    {
        _channel.Writer.TryComplete();
        _hub.Remove(this);
    }
}
