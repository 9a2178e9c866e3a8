using System.Buffers;
using VideoStreams.Media.Ebml;

namespace VideoStreams.Media.Matroska;

/// <summary>SimpleBlock and BlockGroup decoding, including the three lacing schemes.</summary>
public sealed partial class MatroskaReader
{
    private const int MaxLaces = 256;

    // Tracks by number, flattened for a cheap per-block lookup.
    private ulong[] _trackNumbers = [];
    private ulong[] _trackDefaultDurations = [];

    // The block being emitted lace by lace. Its bytes stay unconsumed in the caller's buffer until the last lace,
    // so every lace can be handed out as a slice without copying.
    private readonly int[] _laceSizes = new int[MaxLaces];
    private int _laceCount;
    private int _laceIndex;
    private long _laceNextOffset;
    private long _blockElementLength;
    private ulong _blockTrack;
    private long _blockTimestamp;
    private long _blockDuration;
    private double _laceTicks;
    private bool _blockKeyframe;
    private bool _blockDiscardable;

    private void SetTracks(MatroskaTrack[] tracks)
    {
        Tracks = tracks;
        _trackNumbers = new ulong[tracks.Length];
        _trackDefaultDurations = new ulong[tracks.Length];
        for (var i = 0; i < tracks.Length; i++)
        {
            _trackNumbers[i] = tracks[i].Number;
            _trackDefaultDurations[i] = tracks[i].DefaultDuration;
        }
    }

    /// <summary>Parses a whole SimpleBlock or BlockGroup (already in the buffer) and emits its first lace.</summary>
    private bool BeginBlock(ref SequenceReader<byte> reader, EbmlElementHeader header, out MatroskaEvent ev)
    {
        var elementLength = header.HeaderLength + header.Size;
        var element = reader.UnreadSequence.Slice(0, elementLength);
        ReadOnlySequence<byte> block;
        long blockStart;
        var duration = -1L;
        var keyframe = false;
        if (header.Id == MatroskaIds.SimpleBlock)
        {
            blockStart = header.HeaderLength;
            block = element.Slice(blockStart);
        }
        else
        {
            (block, blockStart, duration, keyframe) = ParseBlockGroup(element.Slice(header.HeaderLength), header.HeaderLength);
        }

        var r = new SequenceReader<byte>(block);
        var track = ReadBlockVarInt(ref r);
        if (!r.TryReadBigEndian(out short relative) || !r.TryRead(out byte flags))
        {
            ev = default;
            return ThrowHelper.Throw<bool>(MediaFormatError.InvalidBlock, "block shorter than its header", _position);
        }

        var trackIndex = Array.IndexOf(_trackNumbers, track);
        if (trackIndex < 0)
        {
            ThrowHelper.Throw(MediaFormatError.UndeclaredTrack, $"block for track {track}, which Tracks does not declare", _position);
        }

        var laceCount = ReadLaces(ref r, flags, _position);
        _blockTrack = track;
        _blockTimestamp = ClusterTimestamp + relative;
        _blockKeyframe = header.Id == MatroskaIds.SimpleBlock ? (flags & 0x80) != 0 : keyframe;
        _blockDiscardable = header.Id == MatroskaIds.SimpleBlock && (flags & 0x01) != 0;
        _blockDuration = duration;
        _blockElementLength = elementLength;
        _laceNextOffset = blockStart + r.Consumed;
        _laceIndex = 0;
        _laceCount = laceCount;
        _laceTicks = laceCount == 1 ? 0
            : _trackDefaultDurations[trackIndex] > 0 ? (double)_trackDefaultDurations[trackIndex] / Info.TimestampScale
            : duration > 0 ? (double)duration / laceCount
            : 0;
        return TryEmitLace(ref reader, out ev);
    }

    private bool TryEmitLace(ref SequenceReader<byte> reader, out MatroskaEvent ev)
    {
        if (reader.Remaining < _blockElementLength)
        {
            // The caller dropped bytes we had not consumed: a broken contract, not broken media.
            throw new InvalidOperationException("the input no longer holds the block being read; keep unconsumed bytes between calls");
        }

        var size = _laceSizes[_laceIndex];
        var data = reader.UnreadSequence.Slice(_laceNextOffset, size);
        var timestamp = _blockTimestamp + (long)Math.Round(_laceIndex * _laceTicks);
        var duration = _blockDuration > 0 && _laceCount > 1 ? _blockDuration / _laceCount : _blockDuration;
        var frame = new MatroskaFrame(_blockTrack, timestamp, _blockKeyframe, data, duration, _blockDiscardable)
        {
            DataOffset = _position + _laceNextOffset,
        };
        ev = new MatroskaEvent(MatroskaEventKind.Frame, _position, frame);
        _laceNextOffset += size;
        if (++_laceIndex == _laceCount)
        {
            _laceCount = 0;
            Consume(ref reader, _blockElementLength);
        }

        return true;
    }

    /// <summary>Reads the lace header (if any) and fills <see cref="_laceSizes"/>; returns the frame count.</summary>
    private int ReadLaces(ref SequenceReader<byte> r, byte flags, long offset)
    {
        var lacing = (flags >> 1) & 0x03;
        if (lacing == 0)
        {
            _laceSizes[0] = (int)r.Remaining;
            return 1;
        }

        if (!r.TryRead(out var countMinusOne))
        {
            ThrowHelper.Throw(MediaFormatError.InvalidLacing, "laced block without a frame count", offset);
        }

        var count = countMinusOne + 1;
        long total = 0;
        switch (lacing)
        {
            case 1: // Xiph: each size as a run of 255s plus a final byte
                for (var i = 0; i < count - 1; i++)
                {
                    var size = 0L;
                    byte b;
                    do
                    {
                        if (!r.TryRead(out b))
                        {
                            ThrowHelper.Throw(MediaFormatError.InvalidLacing, "Xiph lace sizes run past the block", offset);
                        }

                        size += b;
                    }
                    while (b == 255);
                    total = SetLace(i, size, total, r.Remaining, offset);
                }

                break;
            case 3: // EBML: first size as a varint, the others as signed differences
                var previous = (long)ReadBlockVarInt(ref r);
                total = SetLace(0, previous, total, r.Remaining, offset);
                for (var i = 1; i < count - 1; i++)
                {
                    previous += ReadSignedBlockVarInt(ref r);
                    total = SetLace(i, previous, total, r.Remaining, offset);
                }

                break;
            default: // fixed: equal sizes
                if (r.Remaining % count != 0)
                {
                    ThrowHelper.Throw(MediaFormatError.InvalidLacing, $"{r.Remaining} bytes do not split into {count} equal laces", offset);
                }

                for (var i = 0; i < count - 1; i++)
                {
                    total = SetLace(i, r.Remaining / count, total, r.Remaining, offset);
                }

                break;
        }

        _laceSizes[count - 1] = (int)(r.Remaining - total);
        return count;
    }

    private long SetLace(int index, long size, long total, long remaining, long offset)
    {
        if (size < 0 || total + size > remaining)
        {
            ThrowHelper.Throw(MediaFormatError.InvalidLacing, "lace sizes exceed the block", offset);
        }

        _laceSizes[index] = (int)size;
        return total + size;
    }

    private (ReadOnlySequence<byte> Block, long BlockStart, long Duration, bool Keyframe) ParseBlockGroup(ReadOnlySequence<byte> payload, long payloadStart)
    {
        var r = new SequenceReader<byte>(payload);
        ReadOnlySequence<byte> block = default;
        var blockStart = -1L;
        var duration = -1L;
        var hasReference = false;
        while (TryReadChild(ref r, _position + payloadStart, out var child, out var value, out var childOffset))
        {
            switch (child.Id)
            {
                case MatroskaIds.Block:
                    block = value;
                    blockStart = childOffset - _position + child.HeaderLength;
                    break;
                case MatroskaIds.BlockDuration:
                    var d = EbmlValues.ReadUnsigned(value, childOffset);
                    duration = d > long.MaxValue / 4 ? ThrowHelper.Throw<long>(MediaFormatError.InvalidValue, "block duration out of range", childOffset) : (long)d;
                    break;
                case MatroskaIds.ReferenceBlock:
                    hasReference = true;
                    break;
            }
        }

        if (blockStart < 0)
        {
            ThrowHelper.Throw(MediaFormatError.MissingElement, "BlockGroup without a Block", _position);
        }

        return (block, blockStart, duration, !hasReference);
    }

    private ulong ReadBlockVarInt(ref SequenceReader<byte> r)
    {
        Span<byte> bytes = stackalloc byte[8];
        var available = (int)Math.Min(8, r.Remaining);
        r.TryCopyTo(bytes[..available]);
        var length = EbmlVarInt.ReadUnsigned(bytes[..available], out var value, out _);
        if (length == 0)
        {
            ThrowHelper.Throw(MediaFormatError.InvalidBlock, "block ends inside a varint", _position);
        }

        r.Advance(length);
        return value;
    }

    private long ReadSignedBlockVarInt(ref SequenceReader<byte> r)
    {
        Span<byte> bytes = stackalloc byte[8];
        var available = (int)Math.Min(8, r.Remaining);
        r.TryCopyTo(bytes[..available]);
        var length = EbmlVarInt.ReadSigned(bytes[..available], out var value);
        if (length == 0)
        {
            ThrowHelper.Throw(MediaFormatError.InvalidLacing, "block ends inside a lace size", _position);
        }

        r.Advance(length);
        return value;
    }
}
