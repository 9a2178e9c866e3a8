using System.Buffers;
using System.Buffers.Binary;

namespace VideoStreams.Media.H264;

public static partial class H264Nal
{
    /// <summary>Bytes <see cref="AnnexBToAvcc(ReadOnlySpan{byte}, Span{byte}, int)"/> will write for this input.</summary>
    /// <exception cref="MediaFormatException">The input is not Annex B, or a NAL unit is too long for <paramref name="lengthSize"/>.</exception>
    public static int GetAvccSize(ReadOnlySpan<byte> annexB, int lengthSize)
    {
        ValidateLengthSize(lengthSize);
        long size = 0;
        foreach (var nal in EnumerateAnnexB(annexB))
        {
            CheckFitsLength(nal.Length, lengthSize);
            size += lengthSize + nal.Length;
        }

        return CheckSize(size);
    }

    /// <summary>
    /// Rewrites an Annex B access unit as length-prefixed NAL units (start codes and trailing zeros dropped).
    /// </summary>
    /// <param name="annexB">Annex B input.</param>
    /// <param name="destination">Output; must hold <see cref="GetAvccSize"/> bytes and must not overlap the input.</param>
    /// <param name="lengthSize">Bytes per length prefix: 1, 2 or 4.</param>
    /// <returns>Bytes written.</returns>
    /// <exception cref="MediaFormatException">The input is not Annex B, or a NAL unit is too long for <paramref name="lengthSize"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public static int AnnexBToAvcc(ReadOnlySpan<byte> annexB, Span<byte> destination, int lengthSize)
    {
        ValidateLengthSize(lengthSize);
        var written = 0;
        foreach (var nal in EnumerateAnnexB(annexB))
        {
            CheckFitsLength(nal.Length, lengthSize);
            if (destination.Length - written < lengthSize + nal.Length)
            {
                ThrowDestinationTooShort();
            }

            WriteLength(destination.Slice(written, lengthSize), nal.Length, lengthSize);
            nal.CopyTo(destination[(written + lengthSize)..]);
            written += lengthSize + nal.Length;
        }

        return written;
    }

    /// <summary>Rewrites an Annex B access unit as length-prefixed NAL units into a buffer writer.</summary>
    /// <returns>Bytes written.</returns>
    /// <exception cref="MediaFormatException">The input is not Annex B, or a NAL unit is too long for <paramref name="lengthSize"/>.</exception>
    public static int AnnexBToAvcc(ReadOnlySpan<byte> annexB, IBufferWriter<byte> writer, int lengthSize)
    {
        var size = GetAvccSize(annexB, lengthSize);
        var written = AnnexBToAvcc(annexB, writer.GetSpan(size), lengthSize);
        writer.Advance(written);
        return written;
    }

    /// <summary>Bytes <see cref="AvccToAnnexB(ReadOnlySpan{byte}, Span{byte}, int)"/> will write for this input.</summary>
    /// <exception cref="MediaFormatException">A length prefix is malformed.</exception>
    public static int GetAnnexBSize(ReadOnlySpan<byte> avcc, int lengthSize)
    {
        long size = 0;
        foreach (var nal in EnumerateAvcc(avcc, lengthSize))
        {
            size += LongStartCode.Length + nal.Length;
        }

        return CheckSize(size);
    }

    /// <summary>Rewrites a length-prefixed access unit as Annex B, each NAL unit behind a four-byte start code.</summary>
    /// <param name="avcc">Length-prefixed input.</param>
    /// <param name="destination">Output; must hold <see cref="GetAnnexBSize"/> bytes and must not overlap the input.</param>
    /// <param name="lengthSize">Bytes per length prefix: 1, 2 or 4.</param>
    /// <returns>Bytes written.</returns>
    /// <exception cref="MediaFormatException">A length prefix is malformed.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public static int AvccToAnnexB(ReadOnlySpan<byte> avcc, Span<byte> destination, int lengthSize)
    {
        var written = 0;
        foreach (var nal in EnumerateAvcc(avcc, lengthSize))
        {
            if (destination.Length - written < LongStartCode.Length + nal.Length)
            {
                ThrowDestinationTooShort();
            }

            LongStartCode.CopyTo(destination[written..]);
            nal.CopyTo(destination[(written + LongStartCode.Length)..]);
            written += LongStartCode.Length + nal.Length;
        }

        return written;
    }

    /// <summary>Rewrites a length-prefixed access unit as Annex B into a buffer writer.</summary>
    /// <returns>Bytes written.</returns>
    /// <exception cref="MediaFormatException">A length prefix is malformed.</exception>
    public static int AvccToAnnexB(ReadOnlySpan<byte> avcc, IBufferWriter<byte> writer, int lengthSize)
    {
        var size = GetAnnexBSize(avcc, lengthSize);
        var written = AvccToAnnexB(avcc, writer.GetSpan(size), lengthSize);
        writer.Advance(written);
        return written;
    }

    internal static void WriteLength(Span<byte> destination, int length, int lengthSize)
    {
        switch (lengthSize)
        {
            case 1:
                destination[0] = (byte)length;
                break;
            case 2:
                BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)length);
                break;
            default:
                BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)length);
                break;
        }
    }

    private static void CheckFitsLength(int length, int lengthSize)
    {
        if (lengthSize < 4 && length >= 1 << (8 * lengthSize))
        {
            ThrowHelper.Throw(MediaFormatError.InvalidNalUnit, $"NAL unit of {length} bytes does not fit a {lengthSize}-byte length prefix");
        }
    }

    private static int CheckSize(long size) =>
        size <= Array.MaxLength
            ? (int)size
            : ThrowHelper.Throw<int>(MediaFormatError.InvalidNalUnit, "converted access unit would exceed the largest possible buffer");

    private static void ThrowDestinationTooShort() =>
        throw new ArgumentException("destination is too short; size it with the matching Get...Size method", "destination");
}
