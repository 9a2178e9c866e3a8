using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace VideoStreams.Media.Ebml;

/// <summary>
/// EBML encoding (RFC 8794): element ids, variable-size integers and typed elements, written straight into an
/// <see cref="IBufferWriter{T}"/>. Every write returns the number of bytes it produced, so callers can keep offsets.
/// </summary>
public static partial class EbmlWriter
{
    /// <summary>The 8-byte "unknown size" marker (all value bits set), used for live Segments and Clusters.</summary>
    public const ulong UnknownSize = 0x01FFFFFFFFFFFFFF;

    /// <summary>The largest size a variable-size integer can carry (2^56 - 2; all ones means unknown).</summary>
    public const ulong MaxSize = (1UL << 56) - 2;

    /// <summary>Bytes an element id takes. Ids are given as on the wire, marker bits included (e.g. 0x1A45DFA3).</summary>
    public static int IdLength(uint id) => id switch
    {
        <= 0xFF => 1,
        <= 0xFFFF => 2,
        <= 0xFFFFFF => 3,
        _ => 4,
    };

    /// <summary>Bytes the shortest size field for <paramref name="size"/> takes (1 to 8).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is above <see cref="MaxSize"/>.</exception>
    public static int SizeLength(ulong size)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, MaxSize);

        // A width of n bytes carries 7n value bits, and the all-ones value is reserved for "unknown".
        var width = 1;
        while (size > (1UL << (7 * width)) - 2)
        {
            width++;
        }

        return width;
    }

    /// <summary>Bytes the shortest big-endian encoding of an unsigned integer takes (at least 1).</summary>
    public static int UIntLength(ulong value)
    {
        var length = 1;
        while (length < 8 && value >> (8 * length) != 0)
        {
            length++;
        }

        return length;
    }

    /// <summary>Bytes the shortest two's-complement encoding of a signed integer takes (at least 1).</summary>
    public static int IntLength(long value)
    {
        var length = 1;
        while (length < 8 && (value < -(1L << ((8 * length) - 1)) || value >= 1L << ((8 * length) - 1)))
        {
            length++;
        }

        return length;
    }

    /// <summary>Total bytes of an element: id, shortest size field and <paramref name="payloadLength"/>.</summary>
    public static long ElementLength(uint id, ulong payloadLength) => IdLength(id) + SizeLength(payloadLength) + (long)payloadLength;

    /// <summary>Writes an element id into <paramref name="destination"/>.</summary>
    public static int WriteId(Span<byte> destination, uint id)
    {
        var length = IdLength(id);
        for (var i = 0; i < length; i++)
        {
            destination[i] = (byte)(id >> (8 * (length - 1 - i)));
        }

        return length;
    }

    /// <summary>Writes a size field, in the shortest width or in <paramref name="width"/> bytes (1 to 8) when given.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size does not fit the width, or exceeds <see cref="MaxSize"/>.</exception>
    public static int WriteSize(Span<byte> destination, ulong size, int width = 0)
    {
        var minimum = SizeLength(size);
        if (width == 0)
        {
            width = minimum;
        }
        else if (width < minimum || width > 8)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"size {size} needs {minimum} to 8 bytes, not {width}.");
        }

        WriteVarInt(destination, size, width);
        return width;
    }

    private static void WriteVarInt(Span<byte> destination, ulong value, int width)
    {
        // The marker bit sits right after width-1 leading zero bits.
        value |= 1UL << (7 * width);
        for (var i = 0; i < width; i++)
        {
            destination[i] = (byte)(value >> (8 * (width - 1 - i)));
        }
    }

    /// <summary>Writes an element id.</summary>
    public static int WriteId(IBufferWriter<byte> output, uint id)
    {
        var length = WriteId(output.GetSpan(4), id);
        output.Advance(length);
        return length;
    }

    /// <summary>Writes a size field (shortest width unless <paramref name="width"/> is given).</summary>
    public static int WriteSize(IBufferWriter<byte> output, ulong size, int width = 0)
    {
        var length = WriteSize(output.GetSpan(8), size, width);
        output.Advance(length);
        return length;
    }

    /// <summary>Writes the 8-byte unknown-size marker.</summary>
    public static int WriteUnknownSize(IBufferWriter<byte> output)
    {
        BinaryPrimitives.WriteUInt64BigEndian(output.GetSpan(8), UnknownSize);
        output.Advance(8);
        return 8;
    }

    /// <summary>Writes an element's id and size; its <paramref name="payloadLength"/> bytes must follow.</summary>
    public static int WriteElementHeader(IBufferWriter<byte> output, uint id, ulong payloadLength)
    {
        var span = output.GetSpan(12);
        var length = WriteId(span, id);
        length += WriteSize(span[length..], payloadLength);
        output.Advance(length);
        return length;
    }

    /// <summary>Writes a master element of unknown size (only Segment and Cluster may have one).</summary>
    public static int WriteUnknownSizeElementHeader(IBufferWriter<byte> output, uint id) => WriteId(output, id) + WriteUnknownSize(output);

    /// <summary>Writes an unsigned integer element in its shortest form.</summary>
    public static int WriteUInt(IBufferWriter<byte> output, uint id, ulong value) => WriteInteger(output, id, value, UIntLength(value));

    /// <summary>Writes a signed integer element in its shortest form.</summary>
    public static int WriteInt(IBufferWriter<byte> output, uint id, long value) => WriteInteger(output, id, (ulong)value, IntLength(value));

    /// <summary>Big-endian, the low <paramref name="valueLength"/> bytes of <paramref name="bits"/> (two's complement for signed values).</summary>
    private static int WriteInteger(IBufferWriter<byte> output, uint id, ulong bits, int valueLength)
    {
        var span = output.GetSpan(13);
        var length = WriteId(span, id);
        length += WriteSize(span[length..], (ulong)valueLength);
        for (var i = 0; i < valueLength; i++)
        {
            span[length + i] = (byte)(bits >> (8 * (valueLength - 1 - i)));
        }

        length += valueLength;
        output.Advance(length);
        return length;
    }

    /// <summary>Writes an 8-byte float element.</summary>
    public static int WriteFloat(IBufferWriter<byte> output, uint id, double value)
    {
        var span = output.GetSpan(13);
        var length = WriteId(span, id);
        length += WriteSize(span[length..], 8);
        BinaryPrimitives.WriteDoubleBigEndian(span[length..], value);
        length += 8;
        output.Advance(length);
        return length;
    }

    /// <summary>Writes a string or UTF-8 element (no terminating zero).</summary>
    public static int WriteString(IBufferWriter<byte> output, uint id, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var byteCount = Encoding.UTF8.GetByteCount(value);
        var length = WriteElementHeader(output, id, (ulong)byteCount);
        var written = Encoding.UTF8.GetBytes(value, output.GetSpan(byteCount));
        output.Advance(written);
        return length + written;
    }

    /// <summary>Writes a binary element.</summary>
    public static int WriteBinary(IBufferWriter<byte> output, uint id, ReadOnlySpan<byte> value)
    {
        var length = WriteElementHeader(output, id, (ulong)value.Length);
        WriteBytes(output, value);
        return length + value.Length;
    }

    /// <summary>Writes a binary element whose value may span several buffers.</summary>
    public static long WriteBinary(IBufferWriter<byte> output, uint id, in ReadOnlySequence<byte> value)
    {
        var length = WriteElementHeader(output, id, (ulong)value.Length);
        WriteBytes(output, value);
        return length + value.Length;
    }

    /// <summary>Copies raw bytes, in as many pieces as the output hands out.</summary>
    public static void WriteBytes(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var span = output.GetSpan(1);
            var count = Math.Min(span.Length, bytes.Length);
            bytes[..count].CopyTo(span);
            output.Advance(count);
            bytes = bytes[count..];
        }
    }

    /// <summary>Copies every buffer of a sequence.</summary>
    public static void WriteBytes(IBufferWriter<byte> output, in ReadOnlySequence<byte> bytes)
    {
        foreach (var memory in bytes)
        {
            WriteBytes(output, memory.Span);
        }
    }
}
