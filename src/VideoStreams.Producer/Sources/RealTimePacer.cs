using System.Threading.Tasks.Sources;

namespace VideoStreams.Producer.Sources;

/// <summary>
/// Waits until a point on the <see cref="TimeProvider"/>'s monotonic clock with one reusable timer and one reusable
/// awaitable, so pacing a file in real time (as <c>ffmpeg -re</c> does) allocates nothing per frame.
/// One waiter at a time.
/// </summary>
internal sealed class RealTimePacer : IValueTaskSource, IDisposable
{
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private ManualResetValueTaskSourceCore<bool> _core;
    private CancellationTokenRegistration _registration;
    private int _pending;

    public RealTimePacer(TimeProvider time)
    {
        _time = time;
        _timer = time.CreateTimer(static s => ((RealTimePacer)s!).Fire(null), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _core.RunContinuationsAsynchronously = true;
    }

    /// <summary>Completes once <paramref name="elapsed"/> has passed since <paramref name="startTimestamp"/> (from <see cref="TimeProvider.GetTimestamp"/>).</summary>
    public ValueTask WaitUntilAsync(long startTimestamp, TimeSpan elapsed, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var delay = elapsed - _time.GetElapsedTime(startTimestamp);
        if (delay <= TimeSpan.Zero)
        {
            return ValueTask.CompletedTask;
        }

        _core.Reset();
        Volatile.Write(ref _pending, 1);
        if (cancellationToken.CanBeCanceled)
        {
            _registration = cancellationToken.UnsafeRegister(static (s, ct) => ((RealTimePacer)s!).Fire(ct), this);
        }

        _timer.Change(delay, Timeout.InfiniteTimeSpan);
        return new ValueTask(this, _core.Version);
    }

    /// <summary>
    /// Waits for the next slot of a fixed-rate schedule that started at <paramref name="startTimestamp"/>: slot n is
    /// due at n × <paramref name="period"/>. Slots already missed by more than a period (after a stall) are skipped,
    /// as a camera drops the frames it could not deliver, rather than released in a burst. An absolute schedule is
    /// kept because timers work in whole milliseconds: a periodic timer of 33.3 ms would run at 33 ms (30.3 fps).
    /// </summary>
    /// <param name="startTimestamp">The schedule's start, from <see cref="TimeProvider.GetTimestamp"/>.</param>
    /// <param name="period">The frame interval.</param>
    /// <param name="slot">The slot last used; updated to the one waited for.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    public ValueTask WaitForSlotAsync(long startTimestamp, TimeSpan period, ref long slot, CancellationToken cancellationToken)
    {
        slot++;
        var behind = _time.GetElapsedTime(startTimestamp) - (period * slot);
        if (behind > period)
        {
            slot += (long)(behind / period);
        }

        return WaitUntilAsync(startTimestamp, period * slot, cancellationToken);
    }

    public void GetResult(short token)
    {
        _registration.Dispose();
        _registration = default;
        _core.GetResult(token);
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    public void Dispose() => _timer.Dispose();

    private void Fire(CancellationToken? cancelled)
    {
        if (Interlocked.Exchange(ref _pending, 0) != 1)
        {
            return;
        }

        if (cancelled is { } ct)
        {
            _core.SetException(new OperationCanceledException(ct));
        }
        else
        {
            _core.SetResult(true);
        }
    }
}
