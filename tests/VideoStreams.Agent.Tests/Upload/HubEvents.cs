using System.Diagnostics;
using VideoStreams.Server.Live;

namespace VideoStreams.Agent.Tests.Upload;

/// <summary>
/// Everything a live-hub subscription receives, read in the background and kept in order, with the questions the
/// frames-as-captured tests ask of it. Fragments and frames are named by their cluster timestamp (epoch ms).
/// </summary>
internal sealed class HubEvents : IDisposable
{
    private readonly LiveSubscription _subscription;
    private readonly List<LiveEvent> _events = [];
    private readonly Task _reading;

    public HubEvents(LiveSubscription subscription)
    {
        _subscription = subscription;
        _reading = Task.Run(ReadAsync);
    }

    public int Rejected => Count(e => e.Kind == LiveEventKind.FragmentRejected);

    /// <summary>Frame events of the fragment whose cluster starts at <paramref name="clusterMs"/> (resends included).</summary>
    public int FramesOf(long clusterMs) => Count(e => e.Kind == LiveEventKind.Frame && e.Frame!.ClusterTimestamp == clusterMs);

    public bool Received(long clusterMs) => Count(e => IsReceived(e, clusterMs)) > 0;

    /// <summary>Frames of the fragment published before its first RECEIVED.</summary>
    public int FramesBeforeReceived(long clusterMs)
    {
        lock (_events)
        {
            var received = _events.FindIndex(e => IsReceived(e, clusterMs));
            return _events.Take(received < 0 ? _events.Count : received).Count(e => e.Kind == LiveEventKind.Frame && e.Frame!.ClusterTimestamp == clusterMs);
        }
    }

    /// <summary>True when fragment <paramref name="clusterMs"/> was RECEIVED before the first frame of <paramref name="laterMs"/>.</summary>
    public bool ReceivedBeforeFramesOf(long clusterMs, long laterMs)
    {
        lock (_events)
        {
            var received = _events.FindIndex(e => IsReceived(e, clusterMs));
            var frame = _events.FindIndex(e => e.Kind == LiveEventKind.Frame && e.Frame!.ClusterTimestamp == laterMs);
            return received >= 0 && (frame < 0 || received < frame);
        }
    }

    /// <summary>All Frame events so far.</summary>
    public int Frames => Count(e => e.Kind == LiveEventKind.Frame);

    /// <summary>
    /// Captures <paramref name="frames"/> frames one at a time, each once the hub has published the one before: the
    /// uploader is then always at the live edge, so every frame is sent as it is captured.
    /// </summary>
    public async Task CaptureOneByOneAsync(LiveCamera camera, int frames, Task uploader)
    {
        for (var i = 0; i < frames; i++)
        {
            var seen = Frames;
            camera.Capture(1);
            await WaitUntilAsync(h => h.Frames > seen, $"frame {camera.Captured - 1} to reach the hub", uploader);
        }
    }

    /// <summary>Waits (generously: the machine is loaded) until <paramref name="condition"/> holds.</summary>
    public async Task WaitUntilAsync(Func<HubEvents, bool> condition, string what, Task? failFast = null)
    {
        var clock = Stopwatch.StartNew();
        while (!condition(this))
        {
            if (failFast is { IsCompleted: true })
            {
                await failFast;
                Assert.Fail($"the uploader stopped before {what}");
            }

            Assert.False(_reading.IsCompleted, $"the hub subscription ended (dropped: {_subscription.Dropped}) before {what}");
            Assert.True(clock.Elapsed < UploadTestKit.Patience, $"timed out waiting for {what}; the hub saw: {Summary()}");
            await Task.Delay(10);
        }
    }

    public void Dispose() => _subscription.Dispose();

    private static bool IsReceived(LiveEvent e, long clusterMs) =>
        e.Kind == LiveEventKind.FragmentReceived && e.Fragment!.ProducerTimestampMs == clusterMs;

    private int Count(Func<LiveEvent, bool> predicate)
    {
        lock (_events)
        {
            return _events.Count(predicate);
        }
    }

    private string Summary()
    {
        lock (_events)
        {
            return string.Join(", ", _events.Select(e => e.Kind switch
            {
                LiveEventKind.Frame => "F",
                LiveEventKind.FragmentStarted => $"\nstart {e.Fragment!.ProducerTimestampMs}",
                LiveEventKind.FragmentReceived => $"RECEIVED {e.Fragment!.ProducerTimestampMs}",
                _ => e.Kind.ToString(),
            }));
        }
    }

    private async Task ReadAsync()
    {
        while (await _subscription.Reader.WaitToReadAsync())
        {
            while (_subscription.Reader.TryRead(out var ev))
            {
                lock (_events)
                {
                    _events.Add(ev);
                }
            }
        }
    }
}
