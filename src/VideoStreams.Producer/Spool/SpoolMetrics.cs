using System.Diagnostics.Metrics;

namespace VideoStreams.Producer.Spool;

/// <summary>
/// The spool's instruments on the "VideoStreams.Producer" meter, each tagged with the spool's name. Drops are one
/// counter with a reason tag (overflow, age, corrupt), so that any drop at all can alert.
/// </summary>
internal sealed class SpoolMetrics : IDisposable
{
    public const string MeterName = "VideoStreams.Producer";
    private const string SpoolTag = "videostreams.producer.spool";
    private const string ReasonTag = "reason";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly KeyValuePair<string, object?> _spool;
    private readonly Counter<long> _appended;
    private readonly Counter<long> _appendedBytes;
    private readonly Counter<long> _acknowledged;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _syncs;

    public SpoolMetrics(IMeterFactory? meterFactory, string name, FragmentSpool spool)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(new MeterOptions(MeterName)) ?? new Meter(MeterName);
        _spool = new(SpoolTag, name);
        _appended = _meter.CreateCounter<long>("videostreams.producer.spool.appended_fragments", "{fragment}", "Fragments written to the spool.");
        _appendedBytes = _meter.CreateCounter<long>("videostreams.producer.spool.appended_bytes", "By", "Record bytes written to the spool.");
        _acknowledged = _meter.CreateCounter<long>("videostreams.producer.spool.acknowledged_fragments", "{fragment}", "Fragments released by an acknowledgement.");
        _dropped = _meter.CreateCounter<long>("videostreams.producer.spool.dropped_fragments", "{fragment}", "Unacknowledged fragments lost: overflow (oldest dropped), age, or corruption.");
        _rejected = _meter.CreateCounter<long>("videostreams.producer.spool.rejected_fragments", "{fragment}", "Fragments refused: the spool was full (RejectNew), the disk was full, or the fragment too large.");
        _syncs = _meter.CreateCounter<long>("videostreams.producer.spool.syncs", "{sync}", "fsync calls on segment files.");
        _meter.CreateObservableGauge("videostreams.producer.spool.bytes", () => new Measurement<long>(spool.DiskBytes, _spool), "By", "Size of the spool's segment files.");
        _meter.CreateObservableGauge("videostreams.producer.spool.pending_fragments", () => new Measurement<long>(spool.PendingCount, _spool), "{fragment}", "Fragments waiting for an acknowledgement.");
        _meter.CreateObservableGauge("videostreams.producer.spool.pending_bytes", () => new Measurement<long>(spool.PendingBytes, _spool), "By", "Record bytes of fragments waiting for an acknowledgement.");
        _meter.CreateObservableGauge("videostreams.producer.spool.oldest_pending_age", () => new Measurement<double>(spool.OldestPendingAge.TotalSeconds, _spool), "s", "How long the oldest unacknowledged fragment has waited.");
    }

    public void Appended(long bytes)
    {
        _appended.Add(1, _spool);
        _appendedBytes.Add(bytes, _spool);
    }

    public void Acknowledged() => _acknowledged.Add(1, _spool);

    public void Dropped(SpoolDropReason reason, long count)
    {
        if (count > 0)
        {
            _dropped.Add(count, _spool, new(ReasonTag, ReasonName(reason)));
        }
    }

    public void Rejected(SpoolAppendStatus status) =>
        _rejected.Add(1, _spool, new(ReasonTag, status switch
        {
            SpoolAppendStatus.Full => "full",
            SpoolAppendStatus.DiskFull => "disk_full",
            _ => "too_large",
        }));

    public void Synced() => _syncs.Add(1, _spool);

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private static string ReasonName(SpoolDropReason reason) => reason switch
    {
        SpoolDropReason.Overflow => "overflow",
        SpoolDropReason.Age => "age",
        _ => "corrupt",
    };
}
