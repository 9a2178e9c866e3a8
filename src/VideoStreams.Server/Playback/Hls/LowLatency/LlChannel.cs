using System.Buffers;
using VideoStreams.Media;
using VideoStreams.Media.Matroska;
using VideoStreams.Media.Remux;
using VideoStreams.Server.Live;

namespace VideoStreams.Server.Playback.Hls.LowLatency;

/// <summary>
/// One stream's low-latency HLS packaging, fed by the live hub (frames included): each PutMedia fragment becomes one
/// segment made of parts of about the part target, published as its frames arrive; a sliding window of recent segments
/// is kept in memory, so playlists, parts, segments and inits are all answered without the store.
/// </summary>
/// <remarks>
/// <para>One <see cref="CmafSegmenter"/> per PutMedia session packages the frames (decode times continue across the
/// session's fragments, shifted so they equal the producer timestamps, like <see cref="HlsPackager"/>); its chunks are
/// the parts, and a fragment's end (FragmentReceived) flushes the last one and completes the segment.</para>
/// <para>A new session (takeover, reconnect) or a codec change starts a segment with EXT-X-DISCONTINUITY and a new init.
/// A fragment the ingest rejects (FragmentRejected while it is in progress) loses its frames not yet published; the
/// parts already published stay, as a short segment (published URIs never change content, and sequence numbers stay
/// contiguous), and the next segment starts with a discontinuity. When the hub drops the channel for being slow, it
/// subscribes again and the next segment starts with a discontinuity: ingest is never slowed.</para>
/// <para>Waiters (blocking playlist reloads, parts not yet complete) await one shared task that every publication
/// completes and replaces: no polling and no timer per publication.</para>
/// </remarks>
internal sealed class LlChannel : IAsyncDisposable
{
    private readonly LiveHub _hub;
    private readonly LlOptions _options;
    private readonly LlMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private readonly Task _loop;

    // Under _gate: what readers see.
    private LlSegment[] _segments = [];
    private LlSegment? _current;
    private long _nextMsn;
    private long _discontinuitySequence;
    private int _targetDuration;
    private double _partTarget;
    private long _bytes;
    private TaskCompletionSource _changed = NewSignal();
    private bool _stopped;

    // The loop's own state.
    private LiveSession? _session;
    private CmafSegmenter? _segmenter;
    private bool _unsupported;
    private bool _inFragment;
    private DateTimeOffset _fragmentTime;
    private bool _discontinuityNext;
    private LlInit? _init;
    private int _initIds;
    private uint _moofSequence;
    private readonly Sink _sink;

    public LlChannel(long streamId, int targetDurationHint, LiveHub hub, LlOptions options, LlMetrics metrics, TimeProvider time, ILogger logger)
    {
        StreamId = streamId;
        _hub = hub;
        _options = options;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _partTarget = options.PartTargetSeconds;
        _targetDuration = Math.Max(1, targetDurationHint);
        _sink = new Sink(this);
        LastRequest = time.GetTimestamp();
        // Subscribed here, not in the loop's first turn: a fragment sent right after the session was created (before
        // a busy thread pool ran the loop) must reach the channel.
        var first = _hub.Subscribe(StreamId, frames: true);
        _loop = Task.Run(() => RunAsync(first));
    }

    public long StreamId { get; }

    /// <summary>
    /// Names this run of the channel in its media URIs: a channel started again (after an idle stop or a restart)
    /// numbers its segments from 0 again, and a URI of the previous run must not get the new run's media.
    /// </summary>
    public long Epoch { get; } = Random.Shared.NextInt64(1, 1L << 53);

    /// <summary>When a request last used the channel (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    public long LastRequest { get; private set; }

    public void Touch() => LastRequest = _time.GetTimestamp();

    /// <summary>A consistent view of what the channel holds now.</summary>
    public LlView View()
    {
        lock (_gate)
        {
            return ViewLocked();
        }
    }

    private LlView ViewLocked() =>
        new(Epoch, _segments, _current, _current?.Parts ?? [], _nextMsn, _discontinuitySequence, _targetDuration, _partTarget);

    /// <summary>
    /// Waits until <paramref name="ready"/> holds for the channel's view (checked at once and after each publication),
    /// at most <paramref name="timeout"/>; returns the view that satisfied it, or null on timeout or when the channel stops.
    /// </summary>
    public async Task<LlView?> WaitAsync(Func<LlView, bool> ready, TimeSpan timeout, CancellationToken cancel)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                var view = ViewLocked();
                if (ready(view))
                {
                    return view;
                }

                if (_stopped)
                {
                    return null;
                }

                changed = _changed.Task;
            }

            var left = timeout - _time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                return null;
            }

            try
            {
                await changed.WaitAsync(left, _time, cancel).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // One last look: the condition may have become true right at the deadline.
                lock (_gate)
                {
                    var view = ViewLocked();
                    return ready(view) ? view : null;
                }
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Wakes every waiter (under _gate).</summary>
    private void SignalLocked()
    {
        var changed = _changed;
        _changed = NewSignal();
        changed.TrySetResult();
    }

    private async Task RunAsync(LiveSubscription first)
    {
        var cancel = _stop.Token;
        var next = first;
        while (!cancel.IsCancellationRequested)
        {
            using var subscription = next ?? _hub.Subscribe(StreamId, frames: true);
            next = null;
            try
            {
                await foreach (var ev in subscription.ReadAllAsync(cancel).ConfigureAwait(false))
                {
                    Handle(ev);
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (Exception e)
            {
                HlsLog.ChannelFailed(_logger, e, StreamId);
            }

            if (cancel.IsCancellationRequested)
            {
                break;
            }

            // Dropped for being slow (or a failure above): what was in progress is lost; start again cleanly.
            _metrics.Resubscribed();
            HlsLog.ChannelResubscribed(_logger, StreamId);
            EndSession();
            await Task.Delay(TimeSpan.FromMilliseconds(50), _time, CancellationToken.None).ConfigureAwait(false);
        }

        next?.Dispose(); // stopped before the loop's first turn
        EndSession();
        lock (_gate)
        {
            _stopped = true;
            SignalLocked();
        }
    }

    private void Handle(LiveEvent ev)
    {
        var session = ev.Session;
        if (ev.Kind == LiveEventKind.SessionEnded)
        {
            if (session.SessionId == _session?.SessionId)
            {
                EndSession();
            }

            return;
        }

        if (session.SessionId != _session?.SessionId)
        {
            // Session ids increase: an event of an older session (its last words after a takeover) is stale.
            if (session.Tracks.Count == 0 || (_session is not null && session.SessionId < _session.SessionId))
            {
                return;
            }

            EndSession();
            _session = session;
        }
        else if (ev.Kind == LiveEventKind.SessionStarted && session.Tracks.Count > 0)
        {
            _session = session;
        }

        switch (ev.Kind)
        {
            case LiveEventKind.FragmentStarted:
                if (_inFragment)
                {
                    AbortFragment();
                }

                _inFragment = _session is not null && !_unsupported;
                _fragmentTime = DateTimeOffset.FromUnixTimeMilliseconds(ev.Fragment!.ProducerTimestampMs);
                break;
            case LiveEventKind.Frame when _inFragment:
                AddFrame(ev.Frame!);
                break;
            case LiveEventKind.FragmentReceived when _inFragment:
                _inFragment = false;
                Flush();
                CompleteCurrent();
                break;
            case LiveEventKind.FragmentRejected when _inFragment && (ev.Fragment is null || ev.Fragment.Number < 0):
                AbortFragment();
                break;
        }
    }

    private void AddFrame(LiveFrame frame)
    {
        try
        {
            if (_segmenter is null)
            {
                // Decode times on the producer clock: the fragment's first frame sits at its producer timestamp.
                var scale = Math.Max(_session!.Info.TimestampScale, 1UL);
                var producerTicks = (long)((Int128)_fragmentTime.ToUnixTimeMilliseconds() * 1_000_000 / scale);
                var segmenter = new CmafSegmenter(_sink, new CmafSegmenterOptions
                {
                    TargetSegmentDuration = TimeSpan.FromHours(1),
                    PartTargetDuration = TimeSpan.FromSeconds(_options.PartTargetSeconds),
                    TimestampOffset = producerTicks - frame.ClusterTimestamp,
                    FirstSequenceNumber = _moofSequence + 1,
                });
                try
                {
                    segmenter.Begin(_session.Info, _session.Tracks);
                }
                catch (MediaFormatException)
                {
                    segmenter.Dispose();
                    _unsupported = true;
                    throw;
                }

                _segmenter = segmenter;
            }

            _segmenter.Add(new MatroskaFrame(frame.TrackNumber, frame.Timestamp, frame.IsKeyframe, new ReadOnlySequence<byte>(frame.Data)));
        }
        catch (MediaFormatException e)
        {
            HlsLog.ChannelUnsupported(_logger, StreamId, e.Message);
            AbortFragment();
            DropSegmenter();
        }
    }

    private void Flush()
    {
        try
        {
            _segmenter?.Flush();
        }
        catch (MediaFormatException e)
        {
            HlsLog.ChannelUnsupported(_logger, StreamId, e.Message);
            DropSegmenter();
        }
    }

    /// <summary>The fragment in progress will not complete: drop what is unpublished, keep the published parts as a segment.</summary>
    private void AbortFragment()
    {
        _inFragment = false;
        _segmenter?.Discard();
        CompleteCurrent();
        _discontinuityNext = true;
    }

    private void EndSession()
    {
        if (_inFragment)
        {
            AbortFragment();
        }

        CompleteCurrent();
        DropSegmenter();
        _session = null;
        _unsupported = false;
        _discontinuityNext = true;
    }

    private void DropSegmenter()
    {
        _segmenter?.Dispose();
        _segmenter = null;
        _init = null; // a new segmenter writes its own init first
    }

    private void OnInit(in CmafInitSegment init)
    {
        if (_init is { } known && known.Bytes.AsSpan().SequenceEqual(init.Bytes.Span))
        {
            return;
        }

        // A codec change inside a fragment: what came before it is a segment of its own.
        CompleteCurrent();
        if (_init is not null)
        {
            _discontinuityNext = true;
        }

        _init = new LlInit(++_initIds, init.Bytes.ToArray(), init.Codecs, init.Width, init.Height);
    }

    private void OnPart(in CmafMediaSegment chunk)
    {
        _moofSequence = chunk.SequenceNumber;
        var part = new LlPart(chunk.Bytes.ToArray(), chunk.DurationSeconds, chunk.StartsWithKeyframe);
        lock (_gate)
        {
            if (_current is null)
            {
                var time = _fragmentTime;
                if (_segments.Length > 0 && _segments[^1] is { } previous && previous.ProgramDateTime >= _fragmentTime)
                {
                    // A segment cut inside a fragment (codec change) starts where the one before it ended.
                    time = previous.ProgramDateTime + TimeSpan.FromSeconds(previous.Duration);
                }

                _current = new LlSegment(_nextMsn++, _init!, _discontinuityNext && (_segments.Length > 0 || _discontinuitySequence > 0), time);
                _discontinuityNext = false;
            }

            _current.Parts = [.. _current.Parts, part];
            _bytes += part.Bytes.Length;
            _partTarget = Math.Max(_partTarget, Math.Ceiling(part.Duration * 1000) / 1000);
            SignalLocked();
        }

        _metrics.PartPublished();
    }

    /// <summary>Completes the segment in progress (if any): one array for its bytes, its parts become slices of it.</summary>
    private void CompleteCurrent()
    {
        LlSegment? current;
        lock (_gate)
        {
            current = _current;
        }

        if (current is null)
        {
            return;
        }

        var parts = current.Parts;
        var bytes = new byte[parts.Sum(p => p.Bytes.Length)];
        var sliced = new LlPart[parts.Length];
        var offset = 0;
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i].Bytes.Span.CopyTo(bytes.AsSpan(offset));
            sliced[i] = parts[i] with { Bytes = bytes.AsMemory(offset, parts[i].Bytes.Length) };
            offset += parts[i].Bytes.Length;
        }

        lock (_gate)
        {
            current.Parts = sliced;
            current.Bytes = bytes;
            current.Complete = true;
            _segments = [.. _segments, current];
            _current = null;
            _targetDuration = Math.Max(_targetDuration, (int)Math.Round(Math.Round(current.Duration, 3), MidpointRounding.AwayFromZero));
            while (_segments.Length > 1 && (_segments.Length > _options.MaxSegments || _bytes > _options.MaxBytes))
            {
                var oldest = _segments[0];
                _bytes -= oldest.Bytes.Length;
                _segments = _segments[1..];
                if (oldest.Discontinuity)
                {
                    _discontinuitySequence++;
                }
            }

            SignalLocked();
        }
    }

    /// <summary>Stops the channel: unsubscribes, completes waiters.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private sealed class Sink(LlChannel channel) : ICmafSegmentSink
    {
        public void OnInitSegment(in CmafInitSegment init) => channel.OnInit(init);

        public void OnMediaSegment(in CmafMediaSegment segment) => channel.OnPart(segment);
    }
}
