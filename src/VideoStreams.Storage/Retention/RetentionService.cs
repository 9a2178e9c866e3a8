using System.Diagnostics.Metrics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace VideoStreams.Storage.Retention;

/// <summary>
/// Deletes what the store no longer keeps, in the background: fragments past their stream's retention leave the
/// index, chunk files nothing points at any more are deleted, and when the disk is nearly full the oldest chunks are
/// evicted so that live ingest keeps working (see docs/STORAGE.md, "Retention").
/// </summary>
/// <remarks>
/// A pass is recomputed from the index every time, so the service keeps no state of its own: a crash between passes
/// or inside one loses nothing (the store finishes a half-done chunk retirement when it reopens) and the next pass
/// picks up where the last one stopped. Passes never overlap. Dispose the service before the store.
/// </remarks>
public sealed partial class RetentionService : IDisposable, IAsyncDisposable
{
    private readonly FragmentStore _store;
    private readonly RetentionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RetentionMetrics _metrics;
    private readonly SemaphoreSlim _passLock = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private ITimer? _ageTimer;
    private ITimer? _spaceTimer;
    private TaskCompletionSource? _queued;
    private Task _chain = Task.CompletedTask;
    private bool _disposed;

    /// <summary>Creates the service over an open store; call <see cref="Start"/> to run it on its timers.</summary>
    /// <param name="store">The store whose data it deletes.</param>
    /// <param name="options">Intervals and watermarks; the defaults when null.</param>
    /// <param name="time">The clock that decides what has expired (the store's clock); the system clock when null.</param>
    /// <param name="loggerFactory">Where the log line for every deleted chunk goes.</param>
    /// <param name="meterFactory">Creates the "VideoStreams.Storage" meter; a meter of its own when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public RetentionService(FragmentStore store, RetentionOptions? options = null, TimeProvider? time = null,
        ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        _store = store;
        _options = options ?? new RetentionOptions();
        _options.Validate();
        _time = time ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<RetentionService>();
        _metrics = new RetentionMetrics(meterFactory, MeasureFreeSpace);
    }

    /// <summary>
    /// Starts the timers: a pass every <see cref="RetentionOptions.Interval"/> (the first one now), and a free-space
    /// check every <see cref="RetentionOptions.SpaceCheckInterval"/>; and a pass at once whenever an append fails with
    /// <see cref="StorageError.StorageFull"/>.
    /// </summary>
    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_ageTimer is not null)
            {
                return;
            }

            _ageTimer = _time.CreateTimer(static s => ((RetentionService)s!).Poke(), this, TimeSpan.Zero, _options.Interval);
            _spaceTimer = _time.CreateTimer(static s => ((RetentionService)s!).CheckSpace(), this, _options.SpaceCheckInterval, _options.SpaceCheckInterval);
            _store.DiskFull += OnDiskFull;
        }
    }

    /// <summary>
    /// Asks for a pass as soon as possible and returns at once; call it when an append fails with
    /// <see cref="StorageError.StorageFull"/>. Requests made while a pass waits to start share it.
    /// </summary>
    /// <returns>A task that completes (never faults: failures are logged) when a pass begun after this call has ended.</returns>
    public Task Poke()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return Task.CompletedTask;
            }

            if (_queued is { } queued)
            {
                return queued.Task;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var previous = _chain;
            _queued = done;
            _chain = done.Task;
            _ = Task.Run(async () =>
            {
                await previous;
                lock (_gate)
                {
                    // From here on a request needs another pass: this one may already have looked at what it asks about.
                    _queued = null;
                }

                try
                {
                    await RunGuardedAsync();
                }
                finally
                {
                    done.SetResult();
                }
            });
            return done.Task;
        }
    }

    /// <summary>Runs one pass now (after the one running, if any) and reports what it did.</summary>
    /// <exception cref="IOException">The disk failed; nothing is lost, the next pass tries again.</exception>
    /// <exception cref="SqliteException">The index failed; likewise.</exception>
    public async Task<RetentionReport> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        await _passLock.WaitAsync(linked.Token);
        try
        {
            return await RunPassAsync(linked.Token);
        }
        finally
        {
            _passLock.Release();
        }
    }

    /// <summary>Stops the timers and waits for a running pass to end.</summary>
    public async ValueTask DisposeAsync()
    {
        Task chain;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_ageTimer is not null)
            {
                _store.DiskFull -= OnDiskFull;
            }

            _ageTimer?.Dispose();
            _spaceTimer?.Dispose();
            chain = _chain;
        }

        await _stopping.CancelAsync();
        await chain;
        await _passLock.WaitAsync();
        _passLock.Release();
        _metrics.Dispose();
        _stopping.Dispose();
    }

    /// <summary>Stops the timers and waits for a running pass to end.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The pass queued or running now, if any (tests wait for the timer's pass with it).</summary>
    internal Task WhenIdle()
    {
        lock (_gate)
        {
            return _chain;
        }
    }

    private async Task RunGuardedAsync()
    {
        try
        {
            await RunOnceAsync();
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException && _stopping.IsCancellationRequested)
        {
            // Disposing: the pass stopped between two steps, each of which is complete on its own.
        }
#pragma warning disable CA1031 // A background pass must not die silently: whatever failed is logged and retried next pass.
        catch (Exception e)
#pragma warning restore CA1031
        {
            RetentionLog.PassFailed(_logger, e.Message, e);
        }
    }

    private async Task<RetentionReport> RunPassAsync(CancellationToken cancellationToken)
    {
        var report = new PassTally();
        await ExpireAsync(report, cancellationToken);
        await EvictForSpaceAsync(report, cancellationToken);
        if (_store.ControlLogGarbage > 0)
        {
            // Deleted streams' records, wrapped data keys among them, leave the disk (crypto-shredding).
            _store.CompactControlLog();
        }

        return report.ToReport(_store.AvailableFreeSpace);
    }

    private void OnDiskFull() => Poke();

    private void CheckSpace()
    {
        if (MeasureFreeSpace() is { } free && free < _options.LowWatermark(_store.TotalSpace))
        {
            Poke();
        }
    }

    private long? MeasureFreeSpace()
    {
        if (_stopping.IsCancellationRequested)
        {
            return null;
        }

        try
        {
            return _store.AvailableFreeSpace;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>What a pass has done so far.</summary>
    private sealed class PassTally
    {
        public long ExpiredFragments { get; set; }

        public int ExpiredChunks { get; set; }

        public long ExpiredBytes { get; set; }

        public int EvictedChunks { get; set; }

        public long EvictedBytes { get; set; }

        public bool Sealed { get; set; }

        public RetentionReport ToReport(long freeBytes) =>
            new(ExpiredFragments, ExpiredChunks, ExpiredBytes, EvictedChunks, EvictedBytes, Sealed, freeBytes);
    }
}
