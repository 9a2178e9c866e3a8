using System.Diagnostics.Metrics;

namespace VideoStreams.Server.Live;

/// <summary>
/// Live hub metrics on meter <c>VideoStreams.Server</c>: current subscribers and subscribers dropped for being slow
/// (videostreams_live_subscribers, videostreams_live_subscribers_dropped_total).
/// </summary>
internal sealed class LiveMetrics
{
    private readonly UpDownCounter<long> _subscribers;
    private readonly Counter<long> _dropped;

    public LiveMetrics(IMeterFactory factory)
    {
        var meter = factory.Create(Kvs.KvsMetrics.MeterName);
        _subscribers = meter.CreateUpDownCounter<long>("videostreams.live.subscribers", "{subscriber}", "Live hub subscribers now.");
        _dropped = meter.CreateCounter<long>("videostreams.live.subscribers_dropped", "{subscriber}", "Live subscribers dropped because their buffer was full.");
    }

    public void SubscriberAdded() => _subscribers.Add(1);

    public void SubscriberRemoved() => _subscribers.Add(-1);

    public void SubscriberDropped() => _dropped.Add(1);
}
