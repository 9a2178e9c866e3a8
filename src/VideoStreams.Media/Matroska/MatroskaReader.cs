using System.Buffers;
using VideoStreams.Media.Ebml;

namespace VideoStreams.Media.Matroska;

/// <summary>
/// Incremental Matroska/WebM reader. Feed it whatever bytes have arrived (any chunk size, down to one byte) through
/// <see cref="TryRead"/>; it returns one event at a time and false when it needs more input. It never buffers:
/// it waits until the caller's buffer holds the element it needs (at most one element, bounded by
/// <see cref="MatroskaReaderOptions.MaxElementSize"/>), and it skips elements it does not need without holding them.
/// </summary>
/// <remarks>
/// Contract: each call continues exactly where the previous one stopped, i.e. the caller keeps the bytes the reader
/// did not consume (as <c>PipeReader.AdvanceTo(reader.Position, buffer.End)</c> does). Frame data are slices of the
/// caller's buffer, valid until the caller releases those bytes.
/// Segments and Clusters may have unknown sizes (KVS producers, GStreamer and ffmpeg's live mode write them so); such
/// an element ends where an element that cannot be its child begins, or where the input ends.
/// </remarks>
public sealed partial class MatroskaReader
{
    private readonly MatroskaReaderOptions _options;

    private long _position;
    private long _skipRemaining;
    private bool _headerSeen;

    private bool _inSegment;
    private long _segmentEnd;

    private bool _inCluster;
    private bool _clusterHasTimestamp;
    private long _clusterEnd;

    /// <summary>Creates a reader.</summary>
    public MatroskaReader(MatroskaReaderOptions? options = null)
    {
        _options = options ?? MatroskaReaderOptions.Default;
    }

    /// <summary>Bytes of input consumed so far: the stream offset the next call starts at.</summary>
    public long Position => _position;

    /// <summary>The most recent EBML header.</summary>
    public EbmlHeader? Header { get; private set; }

    /// <summary>The current segment's Info (defaults until an Info element is read).</summary>
    public MatroskaSegmentInfo Info { get; private set; } = new();

    /// <summary>The current segment's tracks (empty until a Tracks element is read).</summary>
    public IReadOnlyList<MatroskaTrack> Tracks { get; private set; } = [];

    /// <summary>The tags of the most recent Tags element.</summary>
    public IReadOnlyList<MatroskaTag> LastTags { get; private set; } = [];

    /// <summary>Offset of the current segment's payload (its first child); cluster positions are relative to it.</summary>
    public long SegmentDataOffset { get; private set; } = -1;

    /// <summary>Offset of the current (or last) Cluster element.</summary>
    public long ClusterOffset { get; private set; } = -1;

    /// <summary>Timestamp of the current (or last) cluster, in timestamp-scale ticks.</summary>
    public long ClusterTimestamp { get; private set; }

    /// <summary>True while a Cluster is open.</summary>
    public bool InCluster => _inCluster;

    /// <summary>
    /// Reads the next event. Returns false when the input does not yet hold enough bytes (feed more and call again), or,
    /// when <paramref name="isFinalBlock"/> is true, when the stream has ended cleanly.
    /// </summary>
    /// <param name="reader">The input from <see cref="Position"/> onwards; advanced past what was consumed.</param>
    /// <param name="ev">The event.</param>
    /// <param name="isFinalBlock">True when no more input will follow: open elements of unknown size are closed, and
    /// anything cut short raises <see cref="MediaFormatError.Truncated"/>.</param>
    /// <exception cref="MediaFormatException">The input is not valid Matroska.</exception>
    public bool TryRead(ref SequenceReader<byte> reader, out MatroskaEvent ev, bool isFinalBlock = false)
    {
        while (true)
        {
            if (_laceCount > 0)
            {
                return TryEmitLace(ref reader, out ev);
            }

            if (_skipRemaining > 0)
            {
                var step = Math.Min(_skipRemaining, reader.Remaining);
                reader.Advance(step);
                _position += step;
                _skipRemaining -= step;
                if (_skipRemaining > 0)
                {
                    ev = default;
                    return isFinalBlock ? ThrowTruncated() : false;
                }
            }

            if (TryCloseSizedContainer(out ev))
            {
                return true;
            }

            if (!EbmlVarInt.TryReadHeader(ref reader, _position, out var header))
            {
                return isFinalBlock ? TryFinish(reader.Remaining, out ev) : False(out ev);
            }

            // The header is only peeked here; each handler consumes it together with its payload.
            reader.Rewind(header.HeaderLength);
            if (EndsUnknownSizeContainer(header.Id, out ev))
            {
                return true;
            }

            CheckSize(header);
            var handled = _inCluster
                ? TryReadClusterChild(ref reader, header, out ev)
                : _inSegment
                    ? TryReadSegmentChild(ref reader, header, out ev)
                    : TryReadTopLevel(ref reader, header, out ev);
            if (handled == Step.Event)
            {
                return true;
            }

            if (handled == Step.NeedMore)
            {
                return isFinalBlock ? ThrowTruncated() : false;
            }
        }
    }

    private enum Step
    {
        Continue,
        Event,
        NeedMore,
    }

    private Step TryReadTopLevel(ref SequenceReader<byte> reader, EbmlElementHeader header, out MatroskaEvent ev)
    {
        ev = default;
        switch (header.Id)
        {
            case MatroskaIds.Ebml:
                if (!TryTakeElement(ref reader, header, out var payload, out var offset))
                {
                    return Step.NeedMore;
                }

                Header = ParseEbmlHeader(payload, offset + header.HeaderLength);
                _headerSeen = true;
                ev = new MatroskaEvent(MatroskaEventKind.EbmlHeader, offset);
                return Step.Event;
            case MatroskaIds.Segment:
                if (!_headerSeen)
                {
                    ThrowHelper.Throw(MediaFormatError.InvalidEbmlHeader, "Segment before any EBML header", _position);
                }

                ev = new MatroskaEvent(MatroskaEventKind.SegmentStart, _position);
                Consume(ref reader, header.HeaderLength);
                _inSegment = true;
                _segmentEnd = header.IsUnknownSize ? -1 : _position + header.Size;
                SegmentDataOffset = _position;
                Info = new MatroskaSegmentInfo();
                Tracks = [];
                SetTracks([]);
                return Step.Event;
            case MatroskaIds.Void or MatroskaIds.Crc32:
                BeginSkip(ref reader, header);
                return Step.Continue;
            default:
                return ThrowHelper.Throw<Step>(
                    MediaFormatError.InvalidEbmlHeader,
                    _headerSeen ? $"unexpected top-level element 0x{header.Id:X}" : "input does not start with an EBML header",
                    _position);
        }
    }

    private Step TryReadSegmentChild(ref SequenceReader<byte> reader, EbmlElementHeader header, out MatroskaEvent ev)
    {
        ev = default;
        ReadOnlySequence<byte> payload;
        long offset;
        switch (header.Id)
        {
            case MatroskaIds.Cluster:
                ClusterOffset = _position;
                Consume(ref reader, header.HeaderLength);
                _inCluster = true;
                _clusterHasTimestamp = false;
                _clusterEnd = header.IsUnknownSize ? -1 : _position + header.Size;
                return Step.Continue;
            case MatroskaIds.Info:
                if (!TryTakeElement(ref reader, header, out payload, out offset))
                {
                    return Step.NeedMore;
                }

                Info = ParseInfo(payload, offset + header.HeaderLength);
                ev = new MatroskaEvent(MatroskaEventKind.Info, offset);
                return Step.Event;
            case MatroskaIds.Tracks:
                if (!TryTakeElement(ref reader, header, out payload, out offset))
                {
                    return Step.NeedMore;
                }

                SetTracks(ParseTracks(payload, offset + header.HeaderLength));
                ev = new MatroskaEvent(MatroskaEventKind.Tracks, offset);
                return Step.Event;
            case MatroskaIds.Tags:
                if (!TryTakeElement(ref reader, header, out payload, out offset))
                {
                    return Step.NeedMore;
                }

                LastTags = ParseTags(payload, offset + header.HeaderLength);
                ev = new MatroskaEvent(MatroskaEventKind.Tags, offset);
                return Step.Event;
            default:
                // SeekHead, Cues, Chapters, Attachments, Void, CRC-32 and anything unknown: not needed here.
                BeginSkip(ref reader, header);
                return Step.Continue;
        }
    }

    private Step TryReadClusterChild(ref SequenceReader<byte> reader, EbmlElementHeader header, out MatroskaEvent ev)
    {
        ev = default;
        switch (header.Id)
        {
            case MatroskaIds.Timestamp:
                if (!TryTakeElement(ref reader, header, out var payload, out var offset))
                {
                    return Step.NeedMore;
                }

                if (_clusterHasTimestamp)
                {
                    ThrowHelper.Throw(MediaFormatError.InvalidValue, "cluster has two Timestamp elements", offset);
                }

                var timestamp = EbmlValues.ReadUnsigned(payload, offset);
                if (timestamp > long.MaxValue / 4)
                {
                    ThrowHelper.Throw(MediaFormatError.InvalidTimestamp, $"cluster timestamp {timestamp} is out of range", offset);
                }

                ClusterTimestamp = (long)timestamp;
                _clusterHasTimestamp = true;
                ev = new MatroskaEvent(MatroskaEventKind.ClusterStart, ClusterOffset);
                return Step.Event;
            case MatroskaIds.SimpleBlock or MatroskaIds.BlockGroup:
                if (!_clusterHasTimestamp)
                {
                    ThrowHelper.Throw(MediaFormatError.MissingElement, "block before the cluster's Timestamp", _position);
                }

                if (reader.Remaining < header.HeaderLength + header.Size)
                {
                    return Step.NeedMore;
                }

                return BeginBlock(ref reader, header, out ev) ? Step.Event : Step.Continue;
            default:
                // CRC-32, Void, Position, PrevSize, EncryptedBlock, …
                BeginSkip(ref reader, header);
                return Step.Continue;
        }
    }

    /// <summary>Consumes a whole element and returns its payload, or false (consuming nothing) when it has not all arrived.</summary>
    private bool TryTakeElement(ref SequenceReader<byte> reader, EbmlElementHeader header, out ReadOnlySequence<byte> payload, out long offset)
    {
        offset = _position;
        if (reader.Remaining < header.HeaderLength + header.Size)
        {
            payload = default;
            return false;
        }

        payload = reader.UnreadSequence.Slice(header.HeaderLength, header.Size);
        Consume(ref reader, header.HeaderLength + header.Size);
        return true;
    }

    private void BeginSkip(ref SequenceReader<byte> reader, EbmlElementHeader header)
    {
        Consume(ref reader, header.HeaderLength);
        _skipRemaining = header.Size;
    }

    private void Consume(ref SequenceReader<byte> reader, long count)
    {
        reader.Advance(count);
        _position += count;
    }

    private bool ThrowTruncated() =>
        ThrowHelper.Throw<bool>(MediaFormatError.Truncated, "input ended inside an element", _position);

    private static bool False(out MatroskaEvent ev)
    {
        ev = default;
        return false;
    }
}
