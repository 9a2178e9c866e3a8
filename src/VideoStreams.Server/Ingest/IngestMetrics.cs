using System.Diagnostics.Metrics;

namespace VideoStreams.Server.Ingest;

/// <summary>
/// PutMedia metrics on meter <c>VideoStreams.Server</c>: bytes in per stream, acks by type and ErrorId,
/// append→PERSISTED latency, sessions taken over (videostreams_ingest_*).
/// </summary>
internal sealed class IngestMetrics
{
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _acks;
    private readonly Histogram<double> _persistLatency;
    private readonly Counter<long> _takeovers;

    public IngestMetrics(IMeterFactory factory)
    {
        var meter = factory.Create(Kvs.KvsMetrics.MeterName);
        _bytes = meter.CreateCounter<long>("videostreams.ingest.bytes", "By", "PutMedia body bytes received, by stream.");
        _acks = meter.CreateCounter<long>("videostreams.ingest.fragments", "{fragment}", "PutMedia fragment acks, by stream, type and ErrorId.");
        _persistLatency = meter.CreateHistogram<double>("videostreams.ingest.persist_latency", "s", "Time from a fragment's append to its PERSISTED ack.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
        _takeovers = meter.CreateCounter<long>("videostreams.ingest.takeovers", "{session}", "PutMedia sessions ended by a newer one for the same stream.");
    }

    public void Bytes(string stream, long count) => _bytes.Add(count, new KeyValuePair<string, object?>("stream", stream));

    public void Ack(string stream, string type, AckErrorId? error = null)
    {
        if (error is { } e)
        {
            _acks.Add(1, new("stream", stream), new("type", type), new("error_id", (int)e));
        }
        else
        {
            _acks.Add(1, new("stream", stream), new KeyValuePair<string, object?>("type", type));
        }
    }

    public void PersistLatency(TimeSpan elapsed) => _persistLatency.Record(elapsed.TotalSeconds);

    public void TakenOver(string stream) => _takeovers.Add(1, new KeyValuePair<string, object?>("stream", stream));
}
