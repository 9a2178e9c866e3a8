using System.Diagnostics.Metrics;
using VideoStreams.Server.Kvs;

namespace VideoStreams.Server.Playback.Images;

/// <summary>
/// GetImages metrics on meter <c>VideoStreams.Server</c>: images answered by format and result (ok, no_media,
/// media_error), fragment decode and image encode durations, requests waiting for a decode slot.
/// </summary>
internal sealed class ImagesMetrics
{
    private readonly Counter<long> _produced;
    private readonly Histogram<double> _decode;
    private readonly Histogram<double> _encode;
    private readonly UpDownCounter<long> _waiting;

    public ImagesMetrics(IMeterFactory factory)
    {
        var meter = factory.Create(KvsMetrics.MeterName);
        _produced = meter.CreateCounter<long>("videostreams.playback.images.produced", "{image}", "GetImages entries answered, by format and result.");
        _decode = meter.CreateHistogram<double>("videostreams.playback.images.decode.duration", "s", "Time to decode one fragment for GetImages (temp file, demux, decode, encode).");
        _encode = meter.CreateHistogram<double>("videostreams.playback.images.encode.duration", "s", "Time to resize and encode one image.");
        _waiting = meter.CreateUpDownCounter<long>("videostreams.playback.images.waiting", "{request}", "GetImages requests waiting for a decode slot.");
    }

    public void Produced(ImageFormat format, string result) =>
        _produced.Add(1, new KeyValuePair<string, object?>("format", Name(format)), new KeyValuePair<string, object?>("result", result));

    public void Decoded(TimeSpan elapsed) => _decode.Record(elapsed.TotalSeconds);

    public void Encoded(ImageFormat format, TimeSpan elapsed) => _encode.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("format", Name(format)));

    public void Waiting(int delta) => _waiting.Add(delta);

    private static string Name(ImageFormat format) => format == ImageFormat.Jpeg ? "JPEG" : "PNG";
}
