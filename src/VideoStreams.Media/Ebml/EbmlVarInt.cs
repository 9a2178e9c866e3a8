using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace VideoStreams.Media.Ebml;

/// <summary>
/// EBML variable-size integers (RFC 8794 §4): the count of leading zero bits of the first byte gives the length.
/// Readers return false when the input does not yet hold the whole field, and throw for malformed fields.
/// </summary>
internal static class EbmlVarInt
{
    /// <summary>Longest element id Matroska allows (EBMLMaxIDLength).</summary>
    public const int MaxIdLength = 4;

    /// <summary>Longest size field (EBMLMaxSizeLength).</summary>
    public const int MaxSizeLength = 8;

    /// <summary>Reads an element header (id then size). Leaves the reader untouched when it returns false.</summary>
    public static bool TryReadHeader(ref SequenceReader<byte> reader, long offset, out EbmlElementHeader header)
    {
        var start = reader.Consumed;
        if (!TryReadId(ref reader, offset, out var id) || !TryReadSize(ref reader, offset + (reader.Consumed - start), out var size))
        {
            reader.Rewind(reader.Consumed - start);
            header = default;
            return false;
        }

        header = new EbmlElementHeader(id, size, (int)(reader.Consumed - start));
        return true;
    }

    /// <summary>Reads an element id, keeping its marker bits as ids are conventionally written.</summary>
    public static bool TryReadId(ref SequenceReader<byte> reader, long offset, out uint id)
    {
        id = 0;
        if (!reader.TryPeek(out var first))
        {
            return false;
        }

        var length = BitOperations.LeadingZeroCount((uint)first) - 23;
        if (first == 0 || length > MaxIdLength)
        {
            ThrowHelper.Throw(MediaFormatError.InvalidVarInt, $"invalid element id starting 0x{first:X2}", offset);
        }

        if (reader.Remaining < length)
        {
            return false;
        }

        uint value = 0;
        for (var i = 0; i < length; i++)
        {
            reader.TryRead(out var b);
            value = (value << 8) | b;
        }

        // An id whose data bits are all ones is reserved (RFC 8794 §5).
        var dataMask = (1u << (7 * length)) - 1;
        if ((value & dataMask) == dataMask)
        {
            ThrowHelper.Throw(MediaFormatError.InvalidVarInt, $"reserved element id 0x{value:X}", offset);
        }

        id = value;
        return true;
    }

    /// <summary>Reads an element size; all data bits set means unknown size.</summary>
    public static bool TryReadSize(ref SequenceReader<byte> reader, long offset, out long size)
    {
        size = 0;
        if (!reader.TryPeek(out var first))
        {
            return false;
        }

        if (first == 0)
        {
            ThrowHelper.Throw(MediaFormatError.InvalidVarInt, "size field longer than 8 bytes", offset);
        }

        var length = BitOperations.LeadingZeroCount((uint)first) - 23;
        if (reader.Remaining < length)
        {
            return false;
        }

        reader.TryRead(out var b0);
        ulong value = (uint)(b0 & (0xFF >> length));
        var allOnes = value == (ulong)(0xFF >> length);
        for (var i = 1; i < length; i++)
        {
            reader.TryRead(out var b);
            allOnes &= b == 0xFF;
            value = (value << 8) | b;
        }

        if (allOnes)
        {
            size = EbmlElementHeader.UnknownSize;
            return true;
        }

        // 2^56 - 2 is the largest size EBML can express; long holds it.
        size = (long)value;
        return true;
    }

    /// <summary>Reads an unsigned varint from a span (block track numbers, EBML lace sizes). Returns bytes used, 0 if the span is short.</summary>
    public static int ReadUnsigned(ReadOnlySpan<byte> span, out ulong value, out bool allOnes)
    {
        value = 0;
        allOnes = false;
        if (span.IsEmpty)
        {
            return 0;
        }

        var first = span[0];
        if (first == 0)
        {
            ThrowHelper.Throw(MediaFormatError.InvalidVarInt, "varint longer than 8 bytes");
        }

        var length = BitOperations.LeadingZeroCount((uint)first) - 23;
        if (span.Length < length)
        {
            return 0;
        }

        value = (uint)(first & (0xFF >> length));
        allOnes = value == (ulong)(0xFF >> length);
        for (var i = 1; i < length; i++)
        {
            allOnes &= span[i] == 0xFF;
            value = (value << 8) | span[i];
        }

        return length;
    }

    /// <summary>Reads a signed varint (EBML lacing deltas): the unsigned value minus half its range.</summary>
    public static int ReadSigned(ReadOnlySpan<byte> span, out long value)
    {
        var length = ReadUnsigned(span, out var raw, out _);
        value = length == 0 ? 0 : (long)raw - ((1L << ((7 * length) - 1)) - 1);
        return length;
    }

    /// <summary>Length in bytes of an id including its marker bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int IdLength(uint id) => id switch
    {
        <= 0xFF => 1,
        <= 0xFFFF => 2,
        <= 0xFFFFFF => 3,
        _ => 4,
    };
}
