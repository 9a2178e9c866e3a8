using System.Diagnostics.Metrics;

namespace VideoStreams.Storage.Retention;

/// <summary>
/// Retention's instruments on the "VideoStreams.Storage" meter. Expiry (data past its retention) and eviction (data
/// deleted early because the disk is nearly full) are separate counters so that any eviction at all can alert: it
/// means the disk is too small for the retention asked.
/// </summary>
internal sealed class RetentionMetrics : IDisposable
{
    public const string MeterName = "VideoStreams.Storage";
    private const string LogClassTag = "videostreams.storage.log_class";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _expiredFragments;
    private readonly Counter<long> _expiredChunks;
    private readonly Counter<long> _expiredBytes;
    private readonly Counter<long> _evictedChunks;
    private readonly Counter<long> _evictedBytes;

    public RetentionMetrics(IMeterFactory? meterFactory, Func<long?> freeBytes)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(new MeterOptions(MeterName)) ?? new Meter(MeterName);
        _expiredFragments = _meter.CreateCounter<long>("videostreams.storage.expired_fragments", "{fragment}", "Fragments removed from the index because they passed their stream's retention.");
        _expiredChunks = _meter.CreateCounter<long>("videostreams.storage.expired_chunks", "{chunk}", "Chunk files deleted because every fragment in them passed its retention.");
        _expiredBytes = _meter.CreateCounter<long>("videostreams.storage.expired_bytes", "By", "Bytes of expired chunk files deleted.");
        _evictedChunks = _meter.CreateCounter<long>("videostreams.storage.evicted_chunks", "{chunk}", "Chunk files deleted before their retention because free space fell below the low watermark.");
        _evictedBytes = _meter.CreateCounter<long>("videostreams.storage.evicted_bytes", "By", "Bytes of chunk files evicted for free space.");
        _meter.CreateObservableGauge("videostreams.storage.free_bytes", () => freeBytes() is { } free ? [new Measurement<long>(free)] : Array.Empty<Measurement<long>>(), "By", "Free space on the data folder's disk.");
    }

    public void FragmentsExpired(long count)
    {
        if (count > 0)
        {
            _expiredFragments.Add(count);
        }
    }

    public void ChunkExpired(string logClass, long bytes)
    {
        var tag = new KeyValuePair<string, object?>(LogClassTag, logClass);
        _expiredChunks.Add(1, tag);
        _expiredBytes.Add(bytes, tag);
    }

    public void ChunkEvicted(string logClass, long bytes)
    {
        var tag = new KeyValuePair<string, object?>(LogClassTag, logClass);
        _evictedChunks.Add(1, tag);
        _evictedBytes.Add(bytes, tag);
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
