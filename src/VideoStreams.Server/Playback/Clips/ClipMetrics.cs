using System.Diagnostics.Metrics;
using VideoStreams.Server.Kvs;

namespace VideoStreams.Server.Playback.Clips;

/// <summary>
/// Clip instruments on meter <c>VideoStreams.Server</c>: clips served (by api: getclip or http), bytes out, the time
/// to plan a clip (pass 1: reading every fragment's sample tables), and range requests.
/// </summary>
internal sealed class ClipMetrics
{
    private readonly Counter<long> _served;
    private readonly Counter<long> _bytes;
    private readonly Histogram<double> _build;
    private readonly Counter<long> _ranges;

    public ClipMetrics(IMeterFactory factory)
    {
        var meter = factory.Create(KvsMetrics.MeterName);
        _served = meter.CreateCounter<long>("videostreams.playback.clips.served", "{clip}", "MP4 clips answered (whole or a range), by api.");
        _bytes = meter.CreateCounter<long>("videostreams.playback.clips.bytes", "By", "Clip bytes written to clients, by api.");
        _build = meter.CreateHistogram<double>("videostreams.playback.clips.build_duration", "s", "Time to plan a clip from its fragments (not cached).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _ranges = meter.CreateCounter<long>("videostreams.playback.clips.range_requests", "{request}", "Clip requests answered with 206 or 416.");
    }

    public void Served(string api, long bytes)
    {
        var tag = new KeyValuePair<string, object?>("api", api);
        _served.Add(1, tag);
        _bytes.Add(bytes, tag);
    }

    public void Built(TimeSpan elapsed) => _build.Record(elapsed.TotalSeconds);

    public void Range() => _ranges.Add(1);
}
