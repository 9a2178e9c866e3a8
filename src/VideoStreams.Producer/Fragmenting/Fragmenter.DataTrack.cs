using System.Buffers;
using System.Buffers.Binary;
using VideoStreams.Media.Matroska;
using VideoStreams.Producer.Buffers;

namespace VideoStreams.Producer.Fragmenting;

public sealed partial class Fragmenter
{
    // Samples that arrive while no fragment is open wait here as [timestamp i64][length i32][payload].
    private const int PendingSampleHeader = 12;

    private readonly PooledBufferWriter _pendingData = new(1024);
    private byte[] _dataScratch = [];
    private long _lastDataTimestamp;
    private int _dataSamplesInFragment;

    /// <summary>Data samples written since the fragmenter was created, heartbeats excluded.</summary>
    public long DataSamplesWritten { get; private set; }

    /// <summary>Empty heartbeat blocks written for fragments in which no data sample arrived.</summary>
    public long DataHeartbeatsWritten { get; private set; }

    /// <summary>
    /// Adds one time-series sample to the data track (opaque bytes, e.g. a JSON or MessagePack reading). It is
    /// written to the fragment in progress at its timestamp, moved forward if needed so that the track's times never
    /// go back and never precede the fragment's start; with no fragment open it waits for the next one.
    /// </summary>
    /// <param name="timestampMs">Capture time, ms since the Unix epoch.</param>
    /// <param name="payload">The sample; copied.</param>
    /// <exception cref="InvalidOperationException">The data track is not enabled.</exception>
    public void AddDataSample(long timestampMs, ReadOnlySpan<byte> payload)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_options.EnableDataTrack)
        {
            throw new InvalidOperationException("The data track is off: set FragmenterOptions.EnableDataTrack.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(timestampMs);
        if (_open && timestampMs - _clusterTimestamp <= short.MaxValue)
        {
            WriteDataSample(timestampMs, payload);
            return;
        }

        var span = _pendingData.GetSpan(PendingSampleHeader + payload.Length);
        BinaryPrimitives.WriteInt64LittleEndian(span, timestampMs);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], payload.Length);
        payload.CopyTo(span[PendingSampleHeader..]);
        _pendingData.Advance(PendingSampleHeader + payload.Length);
    }

    private void OnFragmentStarted()
    {
        _dataSamplesInFragment = 0;
        _lastDataTimestamp = _clusterTimestamp;
        var pending = _pendingData.WrittenSpan;
        while (!pending.IsEmpty)
        {
            var timestamp = BinaryPrimitives.ReadInt64LittleEndian(pending);
            var length = BinaryPrimitives.ReadInt32LittleEndian(pending[8..]);
            WriteDataSample(Math.Min(timestamp, _clusterTimestamp + short.MaxValue), pending.Slice(PendingSampleHeader, length));
            pending = pending[(PendingSampleHeader + length)..];
        }

        _pendingData.Clear();
    }

    private void WriteDataSample(long timestampMs, ReadOnlySpan<byte> payload)
    {
        if (_dataScratch.Length < payload.Length)
        {
            if (_dataScratch.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_dataScratch);
            }

            _dataScratch = ArrayPool<byte>.Shared.Rent(Math.Max(payload.Length, 256));
        }

        payload.CopyTo(_dataScratch);
        var timestamp = Math.Max(timestampMs, _lastDataTimestamp);
        _writer!.WriteFrame(new MatroskaFrame(DataTrackNumber, timestamp, isKeyframe: true, new ReadOnlyMemory<byte>(_dataScratch, 0, payload.Length)));
        _lastDataTimestamp = timestamp;
        _dataSamplesInFragment++;
        DataSamplesWritten++;
    }

    /// <summary>KVS refuses a fragment in which a declared track has no frame (4011): an empty block keeps the rule.</summary>
    private void WriteHeartbeatIfNeeded()
    {
        if (!_options.EnableDataTrack || _dataSamplesInFragment > 0)
        {
            return;
        }

        var timestamp = Math.Max(_lastTimestamp, _lastDataTimestamp);
        _writer!.WriteFrame(new MatroskaFrame(DataTrackNumber, timestamp, isKeyframe: true, ReadOnlyMemory<byte>.Empty));
        _lastDataTimestamp = timestamp;
        DataHeartbeatsWritten++;
    }
}
