using System.Diagnostics.Metrics;
using VideoStreams.Server.Kvs;

namespace VideoStreams.Server.Playback.Hls.LowLatency;

/// <summary>
/// Low-latency HLS metrics (meter "VideoStreams.Server", instruments videostreams.playback.hls.ll.*): parts published,
/// channels running, blocked requests (blocking reloads and early part requests) by outcome, and how long they waited.
/// </summary>
internal sealed class LlMetrics
{
    private readonly Counter<long> _parts;
    private readonly UpDownCounter<long> _channels;
    private readonly Counter<long> _resubscribed;
    private readonly Counter<long> _blocked;
    private readonly Histogram<double> _wait;

    public LlMetrics(IMeterFactory factory)
    {
        var meter = factory.Create(KvsMetrics.MeterName);
        _parts = meter.CreateCounter<long>("videostreams.playback.hls.ll.parts_published", "{part}", "LL-HLS parts published by the live channels.");
        _channels = meter.CreateUpDownCounter<long>("videostreams.playback.hls.ll.channels", "{channel}", "LL-HLS live channels running now (one per stream watched).");
        _resubscribed = meter.CreateCounter<long>("videostreams.playback.hls.ll.resubscribed", "{event}", "LL-HLS channels dropped by the live hub as too slow, which subscribed again.");
        _blocked = meter.CreateCounter<long>("videostreams.playback.hls.ll.blocked_requests", "{request}", "LL-HLS requests held until a segment or part exists, by resource and outcome (ready, timeout, gone).");
        _wait = meter.CreateHistogram<double>("videostreams.playback.hls.ll.wait_duration", "s", "How long held LL-HLS requests waited, by resource.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10] });
    }

    public void PartPublished() => _parts.Add(1);

    public void ChannelStarted() => _channels.Add(1);

    public void ChannelStopped() => _channels.Add(-1);

    public void Resubscribed() => _resubscribed.Add(1);

    public void Blocked(string resource, string outcome, TimeSpan waited)
    {
        var tag = new KeyValuePair<string, object?>("resource", resource);
        _blocked.Add(1, tag, new KeyValuePair<string, object?>("outcome", outcome));
        _wait.Record(waited.TotalSeconds, tag);
    }
}
