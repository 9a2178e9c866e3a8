using System.Threading.Channels;

namespace VideoStreams.Server.Live;

/// <summary>One subscriber of a stream's live events; dispose it to unsubscribe.</summary>
internal sealed class LiveSubscription : IDisposable
{
    private readonly LiveHub _hub;
    private readonly Channel<LiveEvent> _channel;

    internal LiveSubscription(LiveHub hub, long streamId, int capacity, bool frames)
    {
        _hub = hub;
        StreamId = streamId;
        TakesFrames = frames;
        _channel = Channel.CreateBounded<LiveEvent>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails instead of waiting: that is our "drop" signal
        });
    }

    /// <summary>The stream subscribed to.</summary>
    public long StreamId { get; }

    /// <summary>False when the subscriber asked not to receive Frame events.</summary>
    public bool TakesFrames { get; }

    /// <summary>
    /// The retention-0 buffer at subscription time (FragmentReceived events, oldest first), when asked for; the events
    /// that follow are all newer. Empty otherwise.
    /// </summary>
    public IReadOnlyList<LiveEvent> Recent { get; internal set; } = [];

    private const int Active = 0, WasDropped = 1, Disposed = 2;
    private int _state;

    /// <summary>True when the subscriber fell behind and was dropped; its events ended early.</summary>
    public bool Dropped => Volatile.Read(ref _state) == WasDropped;

    /// <summary>The events, until the subscription is dropped or disposed (or <paramref name="cancellationToken"/>).</summary>
    public IAsyncEnumerable<LiveEvent> ReadAllAsync(CancellationToken cancellationToken = default) => _channel.Reader.ReadAllAsync(cancellationToken);

    /// <summary>The underlying reader, for callers that want WaitToReadAsync/TryRead.</summary>
    public ChannelReader<LiveEvent> Reader => _channel.Reader;

    internal bool TryWrite(LiveEvent ev) => _channel.Writer.TryWrite(ev);

    /// <summary>
    /// Drops the subscriber; true for the call that did it (two publishers may both find it full, and a publisher may
    /// find a just-disposed subscriber closed: neither is a second drop).
    /// </summary>
    internal bool Drop()
    {
        if (Interlocked.CompareExchange(ref _state, WasDropped, Active) != Active)
        {
            return false;
        }

        _channel.Writer.TryComplete();
        _hub.Remove(this);
        return true;
    }

    /// <summary>Unsubscribes.</summary>
    public void Dispose()
    {
        Interlocked.CompareExchange(ref _state, Disposed, Active);
        _channel.Writer.TryComplete();
        _hub.Remove(this);
    }
}
