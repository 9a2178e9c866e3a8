using System.Buffers;
using System.Buffers.Binary;
using VideoStreams.Media.Matroska;
using VideoStreams.Producer.Buffers;

namespace VideoStreams.Producer.Fragmenting;

public sealed partial class Fragmenter
{
    // Samples wait here as [timestamp i64][length i32][payload] until the video has reached their time.
    private const int PendingSampleHeader = 12;

    // Bounds what waits while no video comes; later samples are dropped (counted).
    private const int MaxPendingDataBytes = 4 << 20;

    private readonly PooledBufferWriter _pendingData = new(1024);
    private int _pendingDataRead;
    private byte[] _dataScratch = [];
    private long _lastDataTimestamp;
    private int _dataSamplesInFragment;

    /// <summary>Data samples written since the fragmenter was created, heartbeats excluded.</summary>
    public long DataSamplesWritten { get; private set; }

    /// <summary>Data samples dropped because over 4 MiB of them waited for video that did not come.</summary>
    public long DataSamplesDropped { get; private set; }

    /// <summary>Empty heartbeat blocks written for fragments in which no data sample arrived.</summary>
    public long DataHeartbeatsWritten { get; private set; }

    /// <summary>
    /// Adds one time-series sample to the data track (opaque bytes, e.g. a JSON or MessagePack reading). A sample is
    /// written once the video has reached its time, into the fragment that covers it: sensors are usually ahead of
    /// the encoder, and a sample written into a fragment that ends before its time would make the next fragment
    /// start before the previous one's latest block, which KVS refuses (4004). Its time is moved forward if needed so
    /// that the track never goes back and never precedes its fragment's start.
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
        if (_pendingData.WrittenCount - _pendingDataRead + PendingSampleHeader + payload.Length > MaxPendingDataBytes)
        {
            DataSamplesDropped++;
            return;
        }

        var span = _pendingData.GetSpan(PendingSampleHeader + payload.Length);
        BinaryPrimitives.WriteInt64LittleEndian(span, timestampMs);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], payload.Length);
        payload.CopyTo(span[PendingSampleHeader..]);
        _pendingData.Advance(PendingSampleHeader + payload.Length);
        if (_open)
        {
            DrainDataSamples(_lastTimestamp);
        }
    }

    private void OnFragmentStarted()
    {
        _dataSamplesInFragment = 0;
        _lastDataTimestamp = _clusterTimestamp;
        DrainDataSamples(_clusterTimestamp);
    }

    /// <summary>Writes the waiting samples whose time is at or before <paramref name="limit"/>, in arrival order.</summary>
    private void DrainDataSamples(long limit)
    {
        while (_pendingDataRead < _pendingData.WrittenCount)
        {
            var pending = _pendingData.WrittenSpan[_pendingDataRead..];
            var timestamp = BinaryPrimitives.ReadInt64LittleEndian(pending);
            if (timestamp > limit)
            {
                return;
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(pending[8..]);
            WriteDataSample(timestamp, pending.Slice(PendingSampleHeader, length));
            _pendingDataRead += PendingSampleHeader + length;
        }

        _pendingData.Clear();
        _pendingDataRead = 0;
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

    /// <summary>
    /// Before a cluster closes at <paramref name="endTimestampMs"/>: the samples it covers go in, and if there were
    /// none, an empty block does, since KVS refuses a fragment in which a declared track has no frame (4011).
    /// </summary>
    private void CompleteDataTrack(long endTimestampMs)
    {
        if (!_options.EnableDataTrack)
        {
            return;
        }

        DrainDataSamples(endTimestampMs - 1);
        if (_dataSamplesInFragment > 0)
        {
            return;
        }

        var timestamp = Math.Max(_lastTimestamp, _lastDataTimestamp);
        _writer!.WriteFrame(new MatroskaFrame(DataTrackNumber, timestamp, isKeyframe: true, ReadOnlyMemory<byte>.Empty));
        _lastDataTimestamp = timestamp;
        DataHeartbeatsWritten++;
    }
}
