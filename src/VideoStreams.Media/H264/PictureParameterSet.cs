using VideoStreams.Media.Bits;

namespace VideoStreams.Media.H264;

/// <summary>
/// The leading fields of an H.264 picture parameter set (ITU-T H.264 7.3.2.2): enough to tie a PPS to its SPS and
/// to know the entropy coder. Immutable.
/// </summary>
public sealed class PictureParameterSet
{
    // Every field read here sits in the first few bytes; a PPS is rarely longer than a few dozen.
    private const int HeadBytes = 16;

    private PictureParameterSet(int id, int spsId, bool cabac, bool bottomFieldPicOrderInFramePresent)
    {
        Id = id;
        SpsId = spsId;
        EntropyCodingModeCabac = cabac;
        BottomFieldPicOrderInFramePresent = bottomFieldPicOrderInFramePresent;
    }

    /// <summary><c>pic_parameter_set_id</c> (0–255).</summary>
    public int Id { get; }

    /// <summary><c>seq_parameter_set_id</c> of the SPS this PPS refers to (0–31).</summary>
    public int SpsId { get; }

    /// <summary><c>entropy_coding_mode_flag</c>: true for CABAC, false for CAVLC.</summary>
    public bool EntropyCodingModeCabac { get; }

    /// <summary><c>bottom_field_pic_order_in_frame_present_flag</c> (slice headers carry <c>delta_pic_order_cnt_bottom</c>).</summary>
    public bool BottomFieldPicOrderInFramePresent { get; }

    /// <summary>Parses the leading fields of a PPS NAL unit.</summary>
    /// <param name="nalUnit">The NAL unit, header byte first, as sent.</param>
    /// <exception cref="MediaFormatException"><see cref="MediaFormatError.InvalidPps"/>: not a PPS, cut short, or an id out of range.</exception>
    public static PictureParameterSet Parse(ReadOnlySpan<byte> nalUnit)
    {
        if (nalUnit.IsEmpty || (nalUnit[0] & 0x80) != 0 || (nalUnit[0] & 0x1F) != (int)NalUnitType.Pps)
        {
            ThrowHelper.Throw(MediaFormatError.InvalidPps, "not a PPS NAL unit");
        }

        var payload = nalUnit[1..];
        payload = payload[..Math.Min(payload.Length, HeadBytes)];
        Span<byte> buffer = stackalloc byte[HeadBytes];
        var reader = new BitReader(buffer[..H264Rbsp.Unescape(payload, buffer)], MediaFormatError.InvalidPps);
        var id = reader.ReadUe();
        var spsId = reader.ReadUe();
        if (id > 255 || spsId > 31)
        {
            ThrowHelper.Throw(MediaFormatError.InvalidPps, "PPS id or SPS id out of range");
        }

        var cabac = reader.ReadFlag();
        var bottomField = reader.ReadFlag();
        return new PictureParameterSet((int)id, (int)spsId, cabac, bottomField);
    }
}
