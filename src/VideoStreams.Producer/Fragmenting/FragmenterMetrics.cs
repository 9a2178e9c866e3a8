using System.Diagnostics.Metrics;

namespace VideoStreams.Producer.Fragmenting;

/// <summary>
/// The fragmenter's instruments on the "VideoStreams.Producer" meter, tagged with the stream name. Counted per
/// fragment or per dropped frame only: nothing is recorded for a frame that is simply written.
/// </summary>
internal sealed class FragmenterMetrics : IDisposable
{
    private const string StreamTag = "videostreams.producer.stream";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly KeyValuePair<string, object?> _stream;
    private readonly Counter<long> _fragments;
    private readonly Counter<long> _fragmentBytes;
    private readonly Counter<long> _droppedFrames;
    private readonly Counter<long> _forcedCuts;
    private readonly Counter<long> _headers;

    public FragmenterMetrics(IMeterFactory? meterFactory, string streamName)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(new MeterOptions("VideoStreams.Producer")) ?? new Meter("VideoStreams.Producer");
        _stream = new(StreamTag, streamName);
        _fragments = _meter.CreateCounter<long>("videostreams.producer.fragments", "{fragment}", "Fragments cut by the fragmenter.");
        _fragmentBytes = _meter.CreateCounter<long>("videostreams.producer.fragment_bytes", "By", "Bytes of the fragments cut (tags and cluster).");
        _droppedFrames = _meter.CreateCounter<long>("videostreams.producer.dropped_frames", "{frame}", "Frames dropped: before the first key frame with SPS/PPS, or behind a backwards clock step.");
        _forcedCuts = _meter.CreateCounter<long>("videostreams.producer.forced_cuts", "{fragment}", "Fragments cut without a key frame because none came within the maximum fragment duration.");
        _headers = _meter.CreateCounter<long>("videostreams.producer.stream_headers", "{header}", "Stream headers written: the first, then one per codec configuration change.");
    }

    public void Fragment(int bytes)
    {
        _fragments.Add(1, _stream);
        _fragmentBytes.Add(bytes, _stream);
    }

    public void DroppedFrame() => _droppedFrames.Add(1, _stream);

    public void ForcedCut() => _forcedCuts.Add(1, _stream);

    public void Header() => _headers.Add(1, _stream);

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
