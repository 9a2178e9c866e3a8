using System.Diagnostics.Metrics;

namespace VideoStreams.Producer.Sources;

/// <summary>
/// A source's instruments on the "VideoStreams.Producer" meter, tagged <c>videostreams.producer.source</c> with the
/// source's name (the stream name when the agent runs it). Counters are added to once per frame: a
/// <see cref="Counter{T}"/> with a pre-built tag does not allocate.
/// </summary>
internal sealed class SourceMetrics : IDisposable
{
    private const string SourceTag = "videostreams.producer.source";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly KeyValuePair<string, object?> _source;
    private readonly Counter<long> _captured;
    private readonly Counter<long> _encoded;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _passedThrough;
    private readonly Counter<long> _loops;

    public SourceMetrics(IMeterFactory? meterFactory, string sourceName)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(new MeterOptions("VideoStreams.Producer")) ?? new Meter("VideoStreams.Producer");
        _source = new(SourceTag, sourceName);
        _captured = _meter.CreateCounter<long>("videostreams.producer.frames_captured", "{frame}", "Raw frames captured (camera, synthetic pattern, decoded file).");
        _encoded = _meter.CreateCounter<long>("videostreams.producer.frames_encoded", "{frame}", "Access units the encoder produced.");
        _dropped = _meter.CreateCounter<long>("videostreams.producer.frames_dropped_encoder", "{frame}", "Raw frames dropped before encoding because the encoder was behind.");
        _passedThrough = _meter.CreateCounter<long>("videostreams.producer.frames_passed_through", "{frame}", "H.264 access units passed through without re-encoding.");
        _loops = _meter.CreateCounter<long>("videostreams.producer.source_loops", "{loop}", "Times a looped file source started again.");
    }

    public long Captured { get; private set; }

    public long Encoded { get; private set; }

    public long Dropped { get; private set; }

    public long PassedThrough { get; private set; }

    public void FrameCaptured()
    {
        Captured++;
        _captured.Add(1, _source);
    }

    public void FrameEncoded()
    {
        Encoded++;
        _encoded.Add(1, _source);
    }

    public void FrameDropped()
    {
        Dropped++;
        _dropped.Add(1, _source);
    }

    public void FramePassedThrough()
    {
        PassedThrough++;
        _passedThrough.Add(1, _source);
    }

    public void Looped() => _loops.Add(1, _source);

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
