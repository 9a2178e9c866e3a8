namespace VideoStreams.Media.H264;

/// <summary>
/// H.264 NAL unit framing: iteration over Annex B byte streams and length-prefixed (AVCC) access units, conversion
/// between the two, and quick checks on an access unit. Nothing here allocates.
/// </summary>
public static partial class H264Nal
{
    /// <summary>The three-byte start code prefix <c>00 00 01</c>.</summary>
    internal static ReadOnlySpan<byte> StartCode => [0, 0, 1];

    /// <summary>The four-byte start code this library writes.</summary>
    internal static ReadOnlySpan<byte> LongStartCode => [0, 0, 0, 1];

    /// <summary>The <c>nal_unit_type</c> of a NAL unit (its header's low five bits).</summary>
    /// <param name="nalUnit">A NAL unit, header byte first.</param>
    /// <exception cref="MediaFormatException">The NAL unit is empty.</exception>
    public static NalUnitType TypeOf(ReadOnlySpan<byte> nalUnit)
    {
        if (nalUnit.IsEmpty)
        {
            ThrowHelper.Throw(MediaFormatError.InvalidNalUnit, "empty NAL unit");
        }

        return (NalUnitType)(nalUnit[0] & 0x1F);
    }

    /// <summary>The <c>nal_ref_idc</c> of a NAL unit (0 = not used for reference).</summary>
    /// <exception cref="MediaFormatException">The NAL unit is empty.</exception>
    public static int RefIdcOf(ReadOnlySpan<byte> nalUnit)
    {
        if (nalUnit.IsEmpty)
        {
            ThrowHelper.Throw(MediaFormatError.InvalidNalUnit, "empty NAL unit");
        }

        return (nalUnit[0] >> 5) & 3;
    }

    /// <summary>
    /// Enumerates the NAL units of an Annex B byte stream:
    /// <c>foreach (var nal in H264Nal.EnumerateAnnexB(data))</c>. Leading zero bytes are allowed; anything else
    /// before the first start code is refused with <see cref="MediaFormatError.InvalidNalUnit"/>.
    /// </summary>
    public static AnnexBEnumerator EnumerateAnnexB(ReadOnlySpan<byte> annexB) => new(annexB);

    /// <summary>
    /// Enumerates the NAL units of a length-prefixed (AVCC) access unit:
    /// <c>foreach (var nal in H264Nal.EnumerateAvcc(data, 4))</c>. A length that runs past the end of the data
    /// throws <see cref="MediaFormatException"/> (<see cref="MediaFormatError.InvalidNalUnit"/>) when reached.
    /// </summary>
    /// <param name="avcc">The access unit.</param>
    /// <param name="lengthSize">Bytes per length prefix: 1, 2 or 4 (the avcC's <c>lengthSizeMinusOne + 1</c>).</param>
    public static AvccEnumerator EnumerateAvcc(ReadOnlySpan<byte> avcc, int lengthSize) => new(avcc, lengthSize);

    /// <summary>True when a length-prefixed access unit holds an IDR slice.</summary>
    /// <exception cref="MediaFormatException">A length prefix is malformed.</exception>
    public static bool ContainsIdr(ReadOnlySpan<byte> avcc, int lengthSize)
    {
        foreach (var nal in EnumerateAvcc(avcc, lengthSize))
        {
            if ((nal[0] & 0x1F) == (int)NalUnitType.Idr)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Finds the first in-band SPS and PPS in a length-prefixed access unit, so that a caller can compare them
    /// with the current decoder configuration and notice a mid-stream change (e.g. of resolution).
    /// </summary>
    /// <param name="avcc">The access unit.</param>
    /// <param name="lengthSize">Bytes per length prefix: 1, 2 or 4.</param>
    /// <param name="sps">The first SPS NAL unit (header included), or empty.</param>
    /// <param name="pps">The first PPS NAL unit (header included), or empty.</param>
    /// <returns>True when the access unit carries an SPS.</returns>
    /// <exception cref="MediaFormatException">A length prefix is malformed.</exception>
    public static bool TryFindParameterSets(ReadOnlySpan<byte> avcc, int lengthSize, out ReadOnlySpan<byte> sps, out ReadOnlySpan<byte> pps)
    {
        sps = default;
        pps = default;
        foreach (var nal in EnumerateAvcc(avcc, lengthSize))
        {
            var type = (NalUnitType)(nal[0] & 0x1F);
            if (type == NalUnitType.Sps && sps.IsEmpty)
            {
                sps = nal;
            }
            else if (type == NalUnitType.Pps && pps.IsEmpty)
            {
                pps = nal;
            }
            else if (type is NalUnitType.Slice or NalUnitType.Idr)
            {
                // Parameter sets for this access unit come before its first slice (H.264 7.4.1.2.3).
                break;
            }
        }

        return !sps.IsEmpty;
    }

    internal static void ValidateLengthSize(int lengthSize)
    {
        if (lengthSize is not (1 or 2 or 4))
        {
            throw new ArgumentOutOfRangeException(nameof(lengthSize), lengthSize, "NAL length size must be 1, 2 or 4");
        }
    }
}
