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
