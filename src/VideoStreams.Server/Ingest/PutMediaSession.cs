using System.Buffers;
using System.IO.Pipelines;
using VideoStreams.Media;
using VideoStreams.Media.Matroska;
using VideoStreams.Server.Live;
using VideoStreams.Storage.Streams;

namespace VideoStreams.Server.Ingest;

/// <summary>
/// One PutMedia request: reads the body as it arrives, one MKV event at a time, turns each cluster into a fragment
/// (store + live hub) and acks it. Never holds more than the current fragment and a few small elements.
/// </summary>
internal sealed partial class PutMediaSession(
    IngestContext services, StreamRecord stream, bool relative, long producerStartMs, PipeReader body, AckWriter acks, string requestId) : IDisposable
{
    private readonly IngestOptions _options = services.Options;
    private readonly MatroskaReader _mkv = new();
    private readonly PendingBytes _pending = new();
    private readonly Queue<Task> _inFlight = new();
    private readonly TaskCompletionSource _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastDataTicks = services.Time.GetTimestamp();
    private volatile string? _stopReason;
    private long _bytes;
    private long _fragments;

    public StreamRecord Stream => stream;

    /// <summary>
    /// Completes when this session has stopped reading its body and every fragment it appended is committed (or
    /// failed). A takeover waits for it: fragments keep their order in the store, and a camera that reconnects and
    /// resends the fragment it has no PERSISTED for finds it in the index instead of storing it twice.
    /// </summary>
    public Task Settled => _settled.Task;

    /// <summary>A newer PutMedia for the stream: stop reading; what was acked stays, the open fragment is dropped.</summary>
    public void TakeOver()
    {
        _stopReason = "taken over";
        body.CancelPendingRead();
        services.Metrics.TakenOver(stream.Name);
        IngestLog.TakenOver(services.Logger, requestId, stream.Name);
    }

    /// <summary>True when no data arrived for an IDLE interval; closes the session after the idle timeout.</summary>
    public bool IsIdle()
    {
        var quiet = services.Time.GetElapsedTime(Interlocked.Read(ref _lastDataTicks));
        if (quiet >= _options.IdleTimeout && _stopReason is null)
        {
            _stopReason = "idle";
            body.CancelPendingRead();
        }

        return quiet >= _options.IdleAckInterval;
    }

    public async Task RunAsync(CancellationToken cancel)
    {
        var reason = "end of body";
        var session = new LiveSession(services.Hub.NextSessionId(), _mkv.Info, []);
        _session = session;
        var rateOrigin = services.Time.GetTimestamp();
        long rateBytes = 0;
        try
        {
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await body.ReadAsync(cancel);
                }
                catch (Exception e) when (e is IOException or BadHttpRequestException or OperationCanceledException)
                {
                    reason = "connection lost";
                    break;
                }

                if (_stopReason is not null)
                {
                    reason = _stopReason;
                    break;
                }

                var buffer = result.Buffer;
                var fresh = buffer.Length - _leftover;
                if (fresh > 0)
                {
                    Interlocked.Exchange(ref _lastDataTicks, services.Time.GetTimestamp());
                    _bytes += fresh;
                    rateBytes += fresh;
                    services.Metrics.Bytes(stream.Name, fresh);
                }

                var fatal = ReadEvents(buffer, result.IsCompleted, out var consumed);
                _leftover = buffer.Slice(consumed).Length;
                body.AdvanceTo(consumed, buffer.End);
                if (fatal is not null)
                {
                    reason = fatal;
                    break;
                }

                if (result.IsCompleted)
                {
                    break;
                }

                // Backpressure: the store has not persisted enough of what we gave it; wait before reading more, so
                // TCP flow control slows the sender instead of us buffering or dropping.
                while (_inFlight.Count >= _options.MaxFragmentsInFlight)
                {
                    await _inFlight.Dequeue();
                }

                // Data-rate limit: pause reading until the bytes so far fit the allowed rate.
                var allowed = TimeSpan.FromSeconds((double)rateBytes / _options.MaxBytesPerSecond);
                var elapsed = services.Time.GetElapsedTime(rateOrigin);
                if (allowed > elapsed + TimeSpan.FromMilliseconds(5))
                {
                    await Task.Delay(allowed - elapsed, services.Time, cancel);
                }
                else if (elapsed - allowed > TimeSpan.FromSeconds(1))
                {
                    // Quiet for a while: no credit for the past (a burst after idling is still limited).
                    rateOrigin = services.Time.GetTimestamp();
                    rateBytes = 0;
                }
            }
        }
        finally
        {
            if (_fragmentOpen)
            {
                services.Hub.Publish(stream.Id, new LiveEvent(LiveEventKind.FragmentRejected, Session));
            }

            // Every fragment already acked RECEIVED gets its PERSISTED (or ERROR) before the response ends.
            try
            {
                while (_inFlight.Count > 0)
                {
                    await _inFlight.Dequeue();
                }
            }
            finally
            {
                _settled.TrySetResult();
            }

            services.Hub.Publish(stream.Id, new LiveEvent(LiveEventKind.SessionEnded, Session));
            IngestLog.SessionEnded(services.Logger, requestId, stream.Name, reason, _fragments, _bytes);
        }
    }

    private long _leftover;

    public void Dispose() => _pending.Dispose();

    /// <summary>Runs the reader over one buffer; returns why the session must end, or null.</summary>
    private string? ReadEvents(ReadOnlySequence<byte> buffer, bool final, out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(buffer);
        var start = _mkv.Position;
        _copied = start;
        try
        {
            while (_mkv.TryRead(ref reader, out var ev, final))
            {
                KeepBytes(buffer, start);
                if (OnEvent(ev) is { } fatal)
                {
                    consumed = reader.Position;
                    return fatal;
                }
            }

            KeepBytes(buffer, start);
            CheckSize();
        }
        catch (MediaFormatException e)
        {
            IngestLog.Malformed(services.Logger, requestId, _mkv.Position, e.Message);
            // The reader refuses a block for an undeclared track itself (it cannot go on past it): KVS's 4010.
            var error = e.Error == MediaFormatError.UndeclaredTrack ? AckErrorId.TrackNumberMismatch : AckErrorId.InvalidMkvData;
            if (_fragmentOpen && !_rejected)
            {
                Reject(error, e.Message);
            }
            else
            {
                acks.Error(_fragmentOpen ? _clusterTicks : null, null, error);
                services.Metrics.Ack(stream.Name, "ERROR", error);
            }

            consumed = reader.Position;
            return error == AckErrorId.TrackNumberMismatch ? "undeclared track" : "invalid MKV";
        }

        consumed = reader.Position;
        return null;
    }

    private long _copied;

    /// <summary>Copies the bytes the reader consumed since the last copy into the pending buffer.</summary>
    private void KeepBytes(ReadOnlySequence<byte> buffer, long start)
    {
        var upTo = _mkv.Position;
        if (upTo > _copied)
        {
            if (_fragmentOpen && _rejected)
            {
                _pending.Skip(upTo - _copied);
            }
            else
            {
                _pending.Append(buffer.Slice(_copied - start, upTo - _copied));
            }

            _copied = upTo;
        }
    }
}
