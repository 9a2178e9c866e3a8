using System.Buffers.Binary;
using VideoStreams.Media.Ebml;

namespace VideoStreams.Media.Matroska;

public sealed partial class MatroskaWriter
{
    // After the track number: the 16-bit relative timestamp and the flags byte.
    private const int TimestampAndFlagsLength = 3;
    private const byte KeyframeFlag = 0x80;
    private const byte DiscardableFlag = 0x01;

    /// <summary>
    /// Writes one Cluster with a known size: its Timestamp, then one SimpleBlock per frame, in the order given.
    /// Every frame is checked before anything is written.
    /// </summary>
    /// <param name="timestamp">Cluster timestamp in timestamp-scale ticks (≥ 0).</param>
    /// <param name="frames">Frames with absolute timestamps, each within a signed 16-bit offset of <paramref name="timestamp"/>.</param>
    /// <exception cref="ArgumentException">A frame's offset does not fit 16 bits (start a new cluster) or its track is not declared.</exception>
    public void WriteCluster(long timestamp, ReadOnlySpan<MatroskaFrame> frames)
    {
        ThrowIfNoHeader();
        ThrowIfInCluster();
        ArgumentOutOfRangeException.ThrowIfNegative(timestamp);

        var payload = (ulong)EbmlWriter.ElementLength(MatroskaIds.Timestamp, (ulong)EbmlWriter.UIntLength((ulong)timestamp));
        for (var i = 0; i < frames.Length; i++)
        {
            payload += (ulong)EbmlWriter.ElementLength(MatroskaIds.SimpleBlock, CheckFrame(frames[i], timestamp));
        }

        if (payload > EbmlWriter.MaxSize)
        {
            throw new ArgumentException("The cluster is too large for an EBML size.", nameof(frames));
        }

        BytesWritten += EbmlWriter.WriteElementHeader(_output, MatroskaIds.Cluster, payload);
        BytesWritten += EbmlWriter.WriteUInt(_output, MatroskaIds.Timestamp, (ulong)timestamp);
        for (var i = 0; i < frames.Length; i++)
        {
            WriteSimpleBlock(frames[i], timestamp);
        }
    }

    /// <summary>Opens a Cluster of unknown size (for frames as they arrive) and writes its Timestamp.</summary>
    /// <param name="timestamp">Cluster timestamp in timestamp-scale ticks (≥ 0).</param>
    public void BeginCluster(long timestamp)
    {
        ThrowIfNoHeader();
        ThrowIfInCluster();
        ArgumentOutOfRangeException.ThrowIfNegative(timestamp);
        BytesWritten += EbmlWriter.WriteUnknownSizeElementHeader(_output, MatroskaIds.Cluster);
        BytesWritten += EbmlWriter.WriteUInt(_output, MatroskaIds.Timestamp, (ulong)timestamp);
        _clusterTimestamp = timestamp;
        _inCluster = true;
    }

    /// <summary>Writes one frame as a SimpleBlock of the open cluster.</summary>
    /// <exception cref="ArgumentException">Its offset from the cluster timestamp does not fit 16 bits, or its track is not declared.</exception>
    /// <exception cref="InvalidOperationException">No cluster is open.</exception>
    public void WriteFrame(in MatroskaFrame frame)
    {
        if (!_inCluster)
        {
            throw new InvalidOperationException("No cluster is open: call BeginCluster first.");
        }

        CheckFrame(frame, _clusterTimestamp);
        WriteSimpleBlock(frame, _clusterTimestamp);
    }

    /// <summary>
    /// Closes the open cluster. Nothing is written: an unknown-size cluster ends where the next top-level element
    /// (Cluster, Tags, or a new EBML document) begins.
    /// </summary>
    public void EndCluster()
    {
        if (!_inCluster)
        {
            throw new InvalidOperationException("No cluster is open.");
        }

        _inCluster = false;
    }

    /// <summary>Checks a frame against the cluster and returns its SimpleBlock payload length.</summary>
    private ulong CheckFrame(in MatroskaFrame frame, long clusterTimestamp)
    {
        var offset = frame.Timestamp - clusterTimestamp;
        if (offset is < short.MinValue or > short.MaxValue)
        {
            throw new ArgumentException(
                $"Frame at {frame.Timestamp} is {offset} ticks from the cluster timestamp {clusterTimestamp}: more than a 16-bit offset, start a new cluster.",
                nameof(frame));
        }

        if (Array.IndexOf(_trackNumbers, frame.TrackNumber) < 0)
        {
            throw new ArgumentException($"Frame for track {frame.TrackNumber}, which Tracks does not declare.", nameof(frame));
        }

        return (ulong)(EbmlWriter.SizeLength(frame.TrackNumber) + TimestampAndFlagsLength) + (ulong)frame.Data.Length;
    }

    private void WriteSimpleBlock(in MatroskaFrame frame, long clusterTimestamp)
    {
        var trackLength = EbmlWriter.SizeLength(frame.TrackNumber);
        var payload = (ulong)(trackLength + TimestampAndFlagsLength) + (ulong)frame.Data.Length;
        var span = _output.GetSpan(24);
        var length = EbmlWriter.WriteId(span, MatroskaIds.SimpleBlock);
        length += EbmlWriter.WriteSize(span[length..], payload);

        // The block's track number is a variable-size integer, the same coding as an element size.
        length += EbmlWriter.WriteSize(span[length..], frame.TrackNumber);
        BinaryPrimitives.WriteInt16BigEndian(span[length..], (short)(frame.Timestamp - clusterTimestamp));
        length += 2;
        span[length++] = (byte)((frame.IsKeyframe ? KeyframeFlag : 0) | (frame.IsDiscardable ? DiscardableFlag : 0));
        _output.Advance(length);
        EbmlWriter.WriteBytes(_output, frame.Data);
        BytesWritten += length + frame.Data.Length;
    }
}
