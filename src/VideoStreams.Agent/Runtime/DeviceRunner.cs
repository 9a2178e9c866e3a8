using System.Diagnostics.Metrics;
using VideoStreams.Agent.Configuration;
using VideoStreams.Agent.Observability;
using VideoStreams.Producer.Fragmenting;
using VideoStreams.Producer.Sources;
using VideoStreams.Producer.Spool;
using VideoStreams.Producer.Upload;

namespace VideoStreams.Agent.Runtime;

/// <summary>
/// One device's pipeline: source → fragmenter → spool → uploader. Capture starts at once into the spool while the
/// stream is checked on the server; the uploader starts once the check passed. <see cref="RunAsync"/> returns after a
/// graceful stop, with the exit code the device asks for (0, or an <see cref="AgentException"/>'s).
/// </summary>
internal sealed partial class DeviceRunner : IDisposable
{
    private static readonly TimeSpan SourceStopWait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly DeviceSettings _device;
    private readonly AgentHooks _hooks;
    private readonly ILoggerFactory _logs;
    private readonly IMeterFactory _meters;
    private readonly AgentMetrics _metrics;
    private readonly HttpMessageHandler _http;
    private readonly ILogger _logger;
    private readonly KeyValuePair<string, object?> _deviceTag;
    private FragmentSpool? _spool;
    private Fragmenter? _fragmenter;
    private SpoolingSink? _sink;
    private LiveFragmentFeed? _live;
    private string _sourceDescription;

    public DeviceRunner(DeviceSettings device, AgentHooks hooks, ILoggerFactory logs, IMeterFactory meters, AgentMetrics metrics, HttpMessageHandler http)
    {
        _device = device;
        _hooks = hooks;
        _logs = logs;
        _meters = meters;
        _metrics = metrics;
        _http = http;
        _logger = logs.CreateLogger("VideoStreams.Agent");
        _deviceTag = AgentMetrics.Device(device.Name);
        _sourceDescription = device.SourceSummary;
    }

    public DeviceSettings Device => _device;

    /// <summary>Opens the spool and the fragmenter; a spool that cannot be opened is a configuration problem (exit 2).</summary>
    public void Open()
    {
        try
        {
            _spool = FragmentSpool.Open(_device.Spool, _hooks.Time, _logs, _meters);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw AgentException.Config(_device.File, "spool.path", $"cannot open the spool {_device.Spool.Directory}: {e.Message}");
        }

        AgentLog.SpoolOpened(_logger, _device.Name, _device.Spool.Directory, _spool.PendingCount, _spool.PendingBytes, _spool.NextSequenceNumber);
        _fragmenter = new Fragmenter(
            new FragmenterOptions
            {
                FragmentDuration = _device.FragmentDuration,
                StreamName = _device.StreamName,
                FirstSequenceNumber = _spool.NextSequenceNumber,
                FrameRate = _device.Source.Type is VideoSourceType.Synthetic or VideoSourceType.Camera ? _device.Source.FrameRate : 0,
                Title = _device.Name,
                FramesAsCaptured = _device.FramesAsCaptured,
            },
            _meters);
        _live = _device.FramesAsCaptured ? new LiveFragmentFeed() : null;
        _sink = new SpoolingSink(_device.Name, _fragmenter, _spool, _live, _logger, _metrics);
    }

    /// <summary>
    /// Runs until <paramref name="stop"/> (a graceful stop: exit code 0) or until the device cannot go on (start-up
    /// failures, a final refusal by the server), then stops gracefully either way.
    /// </summary>
    public async Task<DeviceOutcome> RunAsync(CancellationToken stop)
    {
        var spool = _spool ?? throw new InvalidOperationException("Open first.");
        _metrics.DeviceStarted();
        // Not linked to the stop token: cancelling runs the source's own callbacks (an ffmpeg being told to quit),
        // which may block or throw; they run here, on a pool thread, never on the one that delivered the signal.
        using var sourceStop = new CancellationTokenSource();
        using var uploadStop = new CancellationTokenSource();
        using var stopping = stop.Register(() => Task.Run(sourceStop.CancelQuietly));
        var capture = Task.Run(() => CaptureAsync(sourceStop.Token), CancellationToken.None);
        Task<int>? check = null;
        Task<AgentException?>? upload = null;
        AgentException? failure = null;
        try
        {
            check = new StreamCheck(_device, _http, _hooks.Time, _logger).RunAsync(stop);
            var started = await Task.WhenAny(check, capture);
            if (started == capture && await capture is { } sourceProblem)
            {
                failure = sourceProblem;
                return Outcome(failure);
            }

            int retention;
            try
            {
                retention = await check;
            }
            catch (AgentException e)
            {
                failure = e;
                return Outcome(e);
            }

            if (retention == 0)
            {
                AgentLog.RetentionZero(_logger, _device.Name, _device.StreamName);
            }

            AgentLog.Uploading(_logger, _device.Name, _device.ServerUrl, spool.PendingCount);
            upload = Task.Run(() => UploadAsync(retention == 0, uploadStop.Token), CancellationToken.None);
            var done = await Task.WhenAny(capture, upload);
            if (done == upload)
            {
                failure = await upload;
                return Outcome(failure);
            }

            failure = await capture;
            if (failure is null && !stop.IsCancellationRequested)
            {
                // The source ended (a file played once): send what is left, then this device is done.
                AgentLog.SourceEnded(_logger, _device.Name);
                Flush();
                var drained = WaitDrainedAsync(Timeout.InfiniteTimeSpan, stop);
                if (await Task.WhenAny(drained, upload) == upload)
                {
                    failure = await upload;
                    return Outcome(failure);
                }

                if (await drained)
                {
                    AgentLog.DeviceFinished(_logger, _device.Name);
                }
            }

            return Outcome(failure);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return Outcome(failure);
        }
        finally
        {
            sourceStop.CancelQuietly();
            await StopAsync(capture, upload, uploadStop, failure is null);
            _metrics.DeviceStopped();
        }
    }

    private static DeviceOutcome Outcome(AgentException? failure) => new(failure?.ExitCode ?? ExitCodes.Ok, failure);

    /// <summary>The stop sequence: source, fragment in progress, upload of what is pending (bounded), uploader.</summary>
    private async Task StopAsync(Task<AgentException?> capture, Task<AgentException?>? upload, CancellationTokenSource uploadStop, bool drain)
    {
        if (await WaitAsync(capture, SourceStopWait))
        {
            AgentLog.SourceStopped(_logger, _device.Name);
            // Only once the source has stopped: the fragmenter has one feeding thread.
            Flush();
        }
        else
        {
            AgentLog.StopTimedOut(_logger, _device.Name, "source", SourceStopWait);
        }

        if (upload is not null)
        {
            if (drain && !upload.IsCompleted)
            {
                var drained = await WaitDrainedAsync(_device.StopTimeout, CancellationToken.None);
                if (drained)
                {
                    AgentLog.Drained(_logger, _device.Name);
                }
                else
                {
                    AgentLog.NotDrained(_logger, _device.Name, _spool!.PendingCount, _device.StopTimeout);
                }
            }

            uploadStop.CancelQuietly();
            if (await WaitAsync(upload, SourceStopWait))
            {
                AgentLog.UploaderStopped(_logger, _device.Name);
            }
            else
            {
                AgentLog.StopTimedOut(_logger, _device.Name, "uploader", SourceStopWait);
            }
        }
    }

    private void Flush()
    {
        if (_sink!.Flush() is { } fragment)
        {
            AgentLog.FlushedFragment(_logger, _device.Name, fragment.SequenceNumber, fragment.TimestampMs, fragment.FrameCount, fragment.DurationMs);
        }
        else
        {
            AgentLog.NothingToFlush(_logger, _device.Name);
        }
    }

    private async Task<bool> WaitDrainedAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        var deadline = limit == Timeout.InfiniteTimeSpan ? DateTimeOffset.MaxValue : _hooks.Time.GetUtcNow() + limit;
        while (_spool!.PendingCount > 0)
        {
            if (_hooks.Time.GetUtcNow() >= deadline || cancellationToken.IsCancellationRequested)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), _hooks.Time, CancellationToken.None);
        }

        return true;
    }

    private static async Task<bool> WaitAsync(Task task, TimeSpan limit)
    {
        try
        {
            await task.WaitAsync(limit);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _fragmenter?.Dispose();
        _live?.Dispose();
        if (_spool is { } spool)
        {
            var pending = spool.PendingCount;
            spool.Dispose();
            AgentLog.SpoolClosed(_logger, _device.Name, pending);
        }
    }
}

/// <summary>How a device ended: the exit code it asks for, and the problem when there was one.</summary>
internal readonly record struct DeviceOutcome(int ExitCode, AgentException? Problem);
