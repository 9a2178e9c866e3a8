using System.Diagnostics.Metrics;

namespace VideoStreams.Server.Kvs;

/// <summary>
/// Meter <c>VideoStreams.Server</c>: requests per operation, errors per operation and KVS error name, and latency
/// (exported at /metrics as videostreams_server_requests_total, …_errors_total, …_request_duration_seconds).
/// </summary>
internal sealed class KvsMetrics
{
    public const string MeterName = "VideoStreams.Server";

    private readonly Counter<long> _requests;
    private readonly Counter<long> _errors;
    private readonly Histogram<double> _duration;

    public KvsMetrics(IMeterFactory factory)
    {
        var meter = factory.Create(MeterName);
        _requests = meter.CreateCounter<long>("videostreams.server.requests", "{request}", "KVS API requests, by operation.");
        _errors = meter.CreateCounter<long>("videostreams.server.errors", "{request}", "KVS API requests that failed, by operation and error name.");
        _duration = meter.CreateHistogram<double>("videostreams.server.request_duration", "s", "Time to answer a KVS API request, by operation.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
    }

    public void Record(string operation, KvsError error, TimeSpan elapsed)
    {
        var op = new KeyValuePair<string, object?>("operation", operation);
        _requests.Add(1, op);
        _duration.Record(elapsed.TotalSeconds, op);
        if (error != KvsError.None)
        {
            _errors.Add(1, op, new KeyValuePair<string, object?>("error", error.Name()));
        }
    }
}
