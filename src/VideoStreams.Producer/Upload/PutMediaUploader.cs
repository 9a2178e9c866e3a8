using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using VideoStreams.Producer.Spool;

namespace VideoStreams.Producer.Upload;

/// <summary>
/// Sends the fragments of a <see cref="FragmentSpool"/> to a KVS-compatible PutMedia endpoint and releases each from
/// the spool when the server acknowledges it: one long PutMedia session at a time, a new one per stream header, on
/// errors (with backoff), on a dropped connection and on a stall; each new session resends from the first
/// unacknowledged fragment, which the server recognises. See docs/PRODUCER.md, "Uploader".
/// </summary>
public sealed partial class PutMediaUploader : IAsyncDisposable
{
    private readonly UploaderOptions _options;
    private readonly FragmentSpool _spool;
    private readonly Func<Uri, CancellationToken, ValueTask<Stream>>? _connect;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly UploaderMetrics _metrics;
    private readonly ReconnectBackoff _backoff;
    private readonly Uri _putMediaUrl;
    private readonly LiveFragmentFeed? _live;
    private UploadSession? _current;
    private long _sessionIds;
    private long _sessions;
    private long _reconnects;
    private long _stalls;
    private long _skipped;
    private long _released;
    private long _sentAsCaptured;
    private long _lastAckTimestamp;
    private int _running;
    private bool _underPressure;

    /// <summary>Creates an uploader; nothing is sent until <see cref="RunAsync"/>.</summary>
    /// <param name="options">Settings (checked here).</param>
    /// <param name="spool">The spool to send from and release into.</param>
    /// <param name="connect">
    /// Opens the connection for a session (default: TCP to the endpoint's host and port, with TLS for https). PutMedia
    /// is written as HTTP/1.1 by the uploader itself, because HttpClient sends the whole request body before it returns
    /// the response, and PutMedia needs its acks while the body is still being sent. Tests pass a connector to inject
    /// faults or trust a test certificate.
    /// </param>
    /// <param name="timeProvider">The clock for stalls, backoff and latency (default: the system clock).</param>
    /// <param name="loggerFactory">Logs (event ids 7300–7399).</param>
    /// <param name="meterFactory">Metrics on the meter <c>VideoStreams.Producer</c>.</param>
    /// <param name="framesAsCaptured">
    /// The fragment in progress, fed by the capture side, to send frame by frame while the session is at the live edge
    /// (nothing older waiting in the spool): each fragment then reaches the server as it is captured instead of once
    /// it is complete. Null: each fragment is sent when the spool has it (see docs/PRODUCER.md, "Frames as captured").
    /// </param>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public PutMediaUploader(
        UploaderOptions options,
        FragmentSpool spool,
        Func<Uri, CancellationToken, ValueTask<Stream>>? connect = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null,
        LiveFragmentFeed? framesAsCaptured = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(spool);
        options.Validate();
        _options = options;
        _spool = spool;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("VideoStreams.Producer.Upload");
        _connect = connect;
        _live = framesAsCaptured;
        _backoff = new ReconnectBackoff(options.MinBackoff, options.MaxBackoff, Random.Shared);
        _putMediaUrl = new Uri(WithTrailingSlash(options.Endpoint), "putMedia");
        _lastAckTimestamp = _time.GetTimestamp();
        _metrics = new UploaderMetrics(meterFactory, options.StreamName, () => Staleness.TotalSeconds, () => _current?.InFlightCount ?? 0);
    }

    /// <summary>Raised (on the uploader's monitor loop) when latency pressure starts or is relieved.</summary>
    public event EventHandler<LatencyPressureEventArgs>? LatencyPressure;

    /// <summary>Raised (on the ack reader) when a fragment the server refuses for good is released unsent.</summary>
    public event EventHandler<FragmentSkippedEventArgs>? FragmentSkipped;

    /// <summary>PutMedia sessions started.</summary>
    public long SessionsStarted => Interlocked.Read(ref _sessions);

    /// <summary>Sessions started after a failure (error, dropped connection, stall), not counting header changes.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>Sessions abandoned because no ack came within <see cref="UploaderOptions.StallTimeout"/>.</summary>
    public long Stalls => Interlocked.Read(ref _stalls);

    /// <summary>Fragments released unsent because the server refused them for good.</summary>
    public long SkippedFragments => Interlocked.Read(ref _skipped);

    /// <summary>Fragments released from the spool on PERSISTED (or RECEIVED).</summary>
    public long ReleasedFragments => Interlocked.Read(ref _released);

    /// <summary>Fragments sent frame by frame as they were captured (the rest went from the spool, whole).</summary>
    public long FragmentsSentAsCaptured => Interlocked.Read(ref _sentAsCaptured);

    /// <summary>Time since the last ack of any kind (or since the uploader was made).</summary>
    public TimeSpan Staleness => _time.GetElapsedTime(Interlocked.Read(ref _lastAckTimestamp));

    /// <summary>
    /// Uploads until cancelled, reconnecting on errors. Cancelling is a graceful stop: the body in progress is ended
    /// after the fragment being written, and the acks of what was sent are awaited for up to
    /// <see cref="UploaderOptions.GracefulStopTimeout"/>, so a restart does not resend what was already stored.
    /// Returns normally when cancelled.
    /// </summary>
    /// <exception cref="UploadFatalException">The server refuses the stream for good (unknown stream, access denied,
    /// stream not active, a request it will never accept).</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new InvalidOperationException("RunAsync is already running.");
        }

        using var monitorStop = new CancellationTokenSource();
        var monitor = MonitorAsync(monitorStop.Token);
        try
        {
            await LoopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await monitorStop.CancelAsync().ConfigureAwait(false);
            await monitor.ConfigureAwait(false);
            Volatile.Write(ref _running, 0);
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _metrics.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task LoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            ProducerFragment? first;
            long firstSequence;
            long startTimestamp;
            try
            {
                if (_live is null)
                {
                    await _spool.WaitForFragmentAsync(-1, stop).ConfigureAwait(false);
                }

                if (_spool.TryReadNext(-1, out first))
                {
                    (firstSequence, startTimestamp) = (first.SequenceNumber, first.TimestampMs);
                }
                else if (_live is not null && _live.TryGetInProgress(out var start))
                {
                    // Nothing waiting: the session starts with the fragment being captured.
                    (firstSequence, startTimestamp) = (start.SequenceNumber, start.TimestampMs);
                }
                else
                {
                    if (_live is not null)
                    {
                        using var wake = stop.UnsafeRegister(static s => ((LiveFragmentFeed)s!).Wake(), _live);
                        await _live.WaitAsync().ConfigureAwait(false);
                    }

                    continue;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }

            using var session = new UploadSession(this, Interlocked.Increment(ref _sessionIds), first, startTimestamp);
            Volatile.Write(ref _current, session);
            Interlocked.Increment(ref _sessions);
            _metrics.Session();
            UploaderLog.SessionStarted(_logger, _options.StreamName, session.Id, _putMediaUrl, firstSequence, _spool.PendingCount);
            SessionResult result;
            try
            {
                result = await session.RunAsync(stop).ConfigureAwait(false);
            }
            finally
            {
                Volatile.Write(ref _current, null);
                UploaderLog.SessionEnded(_logger, _options.StreamName, session.Id, session.EndReason, session.Sent, session.Released, session.Skipped, session.Bytes);
            }

            if (result.End == SessionEnd.Stopped || stop.IsCancellationRequested)
            {
                UploaderLog.Stopped(_logger, _options.StreamName, session.InFlightCount);
                return;
            }

            if (result.MadeProgress)
            {
                _backoff.Reset();
            }

            if (result.End is SessionEnd.HeaderChanged or SessionEnd.CaptureEnded)
            {
                continue;
            }

            var delay = _backoff.Next();
            Interlocked.Increment(ref _reconnects);
            _metrics.Reconnect(result.CauseKind);
            UploaderLog.Reconnecting(_logger, _options.StreamName, delay, _backoff.Attempt, result.Cause);
            try
            {
                await Task.Delay(delay, _time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Watches for stalls and latency pressure, also between sessions.</summary>
    private async Task MonitorAsync(CancellationToken stop)
    {
        var interval = TimeSpan.FromTicks(Math.Clamp(_options.StallTimeout.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(1).Ticks));
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, _time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (Volatile.Read(ref _current) is { } session && session.CheckStall(out var quiet, out var inFlight))
            {
                Interlocked.Increment(ref _stalls);
                _metrics.Stall();
                UploaderLog.Stalled(_logger, _options.StreamName, session.Id, quiet, inFlight);
            }

            try
            {
                CheckPressure();
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }

    private void CheckPressure()
    {
        var age = _spool.OldestPendingAge;
        if (_underPressure == age > _options.LatencyPressureThreshold)
        {
            return;
        }

        _underPressure = !_underPressure;
        var pending = _spool.PendingCount;
        var bytes = _spool.PendingBytes;
        if (_underPressure)
        {
            _metrics.Pressure();
            UploaderLog.PressureStarted(_logger, _options.StreamName, pending, bytes, age);
        }
        else
        {
            UploaderLog.PressureRelieved(_logger, _options.StreamName, pending, age);
        }

        LatencyPressure?.Invoke(this, new LatencyPressureEventArgs(_underPressure, pending, bytes, age));
    }

    private static Uri WithTrailingSlash(Uri endpoint) =>
        endpoint.AbsolutePath.EndsWith('/') ? endpoint : new Uri(endpoint.GetLeftPart(UriPartial.Path) + "/");
}
