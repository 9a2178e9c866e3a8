using System.Diagnostics.Metrics;
using VideoStreams.Server.Kvs;

namespace VideoStreams.Server.Playback.Hls;

/// <summary>HLS session metrics (meter "VideoStreams.Server", instruments videostreams.playback.hls.*).</summary>
internal sealed class HlsMetrics
{
    private readonly Counter<long> _sessions;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _rejections;

    public HlsMetrics(IMeterFactory factory)
    {
        var meter = factory.Create(KvsMetrics.MeterName);
        _sessions = meter.CreateCounter<long>("videostreams.playback.hls.sessions", "{session}", "HLS streaming sessions created, by playback mode.");
        _requests = meter.CreateCounter<long>("videostreams.playback.hls.requests", "{request}", "HLS resource requests, by resource (master, media, init, segment) and status.");
        _duration = meter.CreateHistogram<double>("videostreams.playback.hls.request_duration", "s", "Time to answer an HLS resource request, by resource.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
        _bytes = meter.CreateCounter<long>("videostreams.playback.hls.bytes_out", "By", "Bytes of HLS playlists and segments sent, by resource.");
        _rejections = meter.CreateCounter<long>("videostreams.playback.hls.token_rejections", "{request}", "HLS resource requests refused for their session token, by reason.");
    }

    public void SessionCreated(HlsMode mode) => _sessions.Add(1, new KeyValuePair<string, object?>("mode", HlsSessionService.ModeName(mode)));

    public void Request(string resource, int status, TimeSpan elapsed, long bytes)
    {
        var tag = new KeyValuePair<string, object?>("resource", resource);
        _requests.Add(1, tag, new KeyValuePair<string, object?>("status", status));
        _duration.Record(elapsed.TotalSeconds, tag);
        if (bytes > 0)
        {
            _bytes.Add(bytes, tag);
        }
    }

    public void TokenRejected(HlsTokenProblem reason) => _rejections.Add(1, new KeyValuePair<string, object?>("reason", reason.ToString()));
}
