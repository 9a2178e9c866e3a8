using System.Buffers.Binary;

namespace VideoStreams.Media.Mp4;

/// <summary>
/// Writes ISO BMFF boxes big-endian into a span whose size the caller computed (or bounded) up front, so the hot
/// paths never grow a buffer. Box sizes are back-patched by <see cref="EndBox"/>. Running past the end of the span
/// is a bug in a size computation, not bad input, so it surfaces as the span's own exception.
/// </summary>
internal ref struct BoxWriter
{
    private readonly Span<byte> _buffer;
    private int _position;

    public BoxWriter(Span<byte> destination)
    {
        _buffer = destination;
        _position = 0;
    }

    /// <summary>Bytes written so far.</summary>
    public readonly int Position => _position;

    /// <summary>The written bytes.</summary>
    public readonly ReadOnlySpan<byte> Written => _buffer[.._position];

    public void WriteByte(byte value) => _buffer[_position++] = value;

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[_position..], value);
        _position += 2;
    }

    public void WriteUInt24(uint value)
    {
        var span = _buffer.Slice(_position, 3);
        span[0] = (byte)(value >> 16);
        span[1] = (byte)(value >> 8);
        span[2] = (byte)value;
        _position += 3;
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_buffer[_position..], value);
        _position += 4;
    }

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer[_position..], value);
        _position += 4;
    }

    public void WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(_buffer[_position..], value);
        _position += 8;
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(_buffer[_position..], value);
        _position += 8;
    }

    /// <summary>Writes a 32-bit field, or a 64-bit one when <paramref name="wide"/> (version-1 boxes).</summary>
    public void WriteUInt32Or64(ulong value, bool wide)
    {
        if (wide)
        {
            WriteUInt64(value);
        }
        else
        {
            WriteUInt32((uint)value);
        }
    }

    public void WriteBytes(scoped ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer[_position..]);
        _position += bytes.Length;
    }

    public void WriteZeros(int count)
    {
        _buffer.Slice(_position, count).Clear();
        _position += count;
    }

    /// <summary>Writes a box header with a placeholder size; returns the box start for <see cref="EndBox"/>.</summary>
    public int StartBox(scoped ReadOnlySpan<byte> type)
    {
        var start = _position;
        WriteUInt32(0);
        WriteBytes(type);
        return start;
    }

    /// <summary>Writes a full box header (size placeholder, type, version, 24-bit flags).</summary>
    public int StartFullBox(scoped ReadOnlySpan<byte> type, byte version, uint flags)
    {
        var start = StartBox(type);
        WriteUInt32(((uint)version << 24) | (flags & 0xFFFFFF));
        return start;
    }

    /// <summary>Back-patches the 32-bit size of the box that began at <paramref name="start"/>.</summary>
    public readonly void EndBox(int start) =>
        BinaryPrimitives.WriteUInt32BigEndian(_buffer[start..], (uint)(_position - start));

    /// <summary>
    /// Writes an <c>mdat</c> header for <paramref name="payloadSize"/> bytes: the compact 8-byte form when the box
    /// size fits 32 bits, else size 1 followed by a 64-bit largesize.
    /// </summary>
    public void WriteMdatHeader(long payloadSize)
    {
        if (MdatHeaderSize(payloadSize) == 8)
        {
            WriteUInt32((uint)(payloadSize + 8));
            WriteBytes("mdat"u8);
        }
        else
        {
            WriteUInt32(1);
            WriteBytes("mdat"u8);
            WriteUInt64((ulong)(payloadSize + 16));
        }
    }

    /// <summary>Size of the <c>mdat</c> header <see cref="WriteMdatHeader"/> writes.</summary>
    public static int MdatHeaderSize(long payloadSize) => payloadSize + 8 <= uint.MaxValue ? 8 : 16;
}
