using System.Diagnostics.Metrics;

namespace VideoStreams.Producer.Upload;

/// <summary>
/// The uploader's instruments on the "VideoStreams.Producer" meter, tagged with the stream name. Recorded per ack,
/// session or fragment, never per byte written.
/// </summary>
internal sealed class UploaderMetrics : IDisposable
{
    private const string StreamTag = "videostreams.producer.stream";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly KeyValuePair<string, object?> _stream;
    private readonly Counter<long> _acks;
    private readonly Counter<long> _sessions;
    private readonly Counter<long> _reconnects;
    private readonly Counter<long> _stalls;
    private readonly Counter<long> _skipped;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _pressures;
    private readonly Counter<long> _asCaptured;
    private readonly Histogram<double> _latency;

    public UploaderMetrics(IMeterFactory? meterFactory, string streamName, Func<double> staleness, Func<int> inFlight)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(new MeterOptions("VideoStreams.Producer")) ?? new Meter("VideoStreams.Producer");
        _stream = new(StreamTag, streamName);
        _acks = _meter.CreateCounter<long>("videostreams.producer.upload.acks", "{ack}", "PutMedia acks received, by type (and ErrorId for ERROR).");
        _sessions = _meter.CreateCounter<long>("videostreams.producer.upload.sessions", "{session}", "PutMedia sessions started.");
        _reconnects = _meter.CreateCounter<long>("videostreams.producer.upload.reconnects", "{reconnect}", "Sessions started again after a failure, by cause.");
        _stalls = _meter.CreateCounter<long>("videostreams.producer.upload.stalls", "{stall}", "Sessions abandoned for getting no ack within the stall timeout.");
        _skipped = _meter.CreateCounter<long>("videostreams.producer.upload.skipped_fragments", "{fragment}", "Fragments the server refused for good, released unsent, by ErrorId.");
        _bytes = _meter.CreateCounter<long>("videostreams.producer.upload.bytes", "By", "PutMedia body bytes sent (resends included).");
        _asCaptured = _meter.CreateCounter<long>("videostreams.producer.upload.fragments_as_captured", "{fragment}",
            "Fragments sent frame by frame as they were captured (the others went whole from the spool).");
        _pressures = _meter.CreateCounter<long>("videostreams.producer.upload.latency_pressures", "{event}", "Times the oldest unacknowledged fragment got older than the pressure threshold.");
        _latency = _meter.CreateHistogram<double>("videostreams.producer.upload.latency", "s",
            "From the end of a fragment (when it was spooled) to its release (PERSISTED, or RECEIVED for retention 0).");
        _meter.CreateObservableGauge("videostreams.producer.upload.staleness", () => new Measurement<double>(staleness(), _stream), "s",
            "Time since the last ack of any kind (IDLE included).");
        _meter.CreateObservableGauge("videostreams.producer.upload.in_flight", () => new Measurement<int>(inFlight(), _stream), "{fragment}",
            "Fragments sent in the current session and not yet released.");
    }

    public void Ack(PutMediaAckType type, int? errorId)
    {
        if (errorId is { } id)
        {
            _acks.Add(1, _stream, new("type", TypeName(type)), new("error_id", id));
        }
        else
        {
            _acks.Add(1, _stream, new("type", TypeName(type)));
        }
    }

    public void Session() => _sessions.Add(1, _stream);

    public void Reconnect(string cause) => _reconnects.Add(1, _stream, new("cause", cause));

    public void Stall() => _stalls.Add(1, _stream);

    public void Skipped(int errorId) => _skipped.Add(1, _stream, new("error_id", errorId));

    public void Bytes(long bytes) => _bytes.Add(bytes, _stream);

    public void SentAsCaptured() => _asCaptured.Add(1, _stream);

    public void Pressure() => _pressures.Add(1, _stream);

    public void Latency(TimeSpan latency) => _latency.Record(latency.TotalSeconds, _stream);

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private static string TypeName(PutMediaAckType type) => type switch
    {
        PutMediaAckType.Buffering => "BUFFERING",
        PutMediaAckType.Received => "RECEIVED",
        PutMediaAckType.Persisted => "PERSISTED",
        PutMediaAckType.Error => "ERROR",
        PutMediaAckType.Idle => "IDLE",
        _ => "UNKNOWN",
    };
}
