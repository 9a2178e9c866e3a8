using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace VideoStreams.Media.Ebml;

/// <summary>Decoding of EBML element payloads (unsigned/signed integers, floats, strings), with width checks.</summary>
internal static class EbmlValues
{
    public static ulong ReadUnsigned(ReadOnlySequence<byte> payload, long offset)
    {
        if (payload.Length > 8)
        {
            ThrowHelper.Throw(MediaFormatError.InvalidValue, $"unsigned integer of {payload.Length} bytes", offset);
        }

        Span<byte> buffer = stackalloc byte[8];
        buffer.Clear();
        payload.CopyTo(buffer[(8 - (int)payload.Length)..]);
        return BinaryPrimitives.ReadUInt64BigEndian(buffer);
    }

    public static long ReadSigned(ReadOnlySequence<byte> payload, long offset)
    {
        if (payload.Length > 8)
        {
            ThrowHelper.Throw(MediaFormatError.InvalidValue, $"signed integer of {payload.Length} bytes", offset);
        }

        if (payload.IsEmpty)
        {
            return 0;
        }

        Span<byte> buffer = stackalloc byte[8];
        var negative = (payload.FirstSpan[0] & 0x80) != 0;
        buffer.Fill(negative ? (byte)0xFF : (byte)0);
        payload.CopyTo(buffer[(8 - (int)payload.Length)..]);
        return BinaryPrimitives.ReadInt64BigEndian(buffer);
    }

    public static double ReadFloat(ReadOnlySequence<byte> payload, long offset)
    {
        Span<byte> buffer = stackalloc byte[8];
        switch (payload.Length)
        {
            case 0:
                return 0;
            case 4:
                payload.CopyTo(buffer);
                return BinaryPrimitives.ReadSingleBigEndian(buffer);
            case 8:
                payload.CopyTo(buffer);
                return BinaryPrimitives.ReadDoubleBigEndian(buffer);
            default:
                return ThrowHelper.Throw<double>(MediaFormatError.InvalidValue, $"float of {payload.Length} bytes", offset);
        }
    }

    /// <summary>ASCII or UTF-8 string; EBML allows trailing zero padding, which is dropped.</summary>
    public static string ReadString(ReadOnlySequence<byte> payload)
    {
        var text = Encoding.UTF8.GetString(payload);
        var end = text.IndexOf('\0', StringComparison.Ordinal);
        return end >= 0 ? text[..end] : text;
    }
}
