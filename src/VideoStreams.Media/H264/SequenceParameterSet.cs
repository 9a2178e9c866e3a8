namespace VideoStreams.Media.H264;

/// <summary>
/// A parsed H.264 sequence parameter set (ITU-T H.264 7.3.2.1.1 and its VUI, Annex E). Immutable.
/// Parse one with <see cref="Parse"/>; the sizes it reports are the displayed ones, after frame cropping.
/// </summary>
public sealed partial class SequenceParameterSet
{
    private SequenceParameterSet()
    {
    }

    /// <summary><c>profile_idc</c>: 66 Baseline, 77 Main, 88 Extended, 100 High, 110 High 10, 122 High 4:2:2, 244 High 4:4:4 Predictive, ….</summary>
    public byte ProfileIdc { get; private set; }

    /// <summary>The byte of <c>constraint_set0_flag</c> … <c>constraint_set5_flag</c> and the two reserved bits, as coded.</summary>
    public byte ConstraintFlags { get; private set; }

    /// <summary><c>level_idc</c>: ten times the level number (31 = level 3.1).</summary>
    public byte LevelIdc { get; private set; }

    /// <summary><c>seq_parameter_set_id</c> (0–31).</summary>
    public int Id { get; private set; }

    /// <summary><c>chroma_format_idc</c>: 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4. 1 when the profile does not code it.</summary>
    public int ChromaFormatIdc { get; private set; } = 1;

    /// <summary><c>separate_colour_plane_flag</c>: 4:4:4 coded as three monochrome planes.</summary>
    public bool SeparateColourPlane { get; private set; }

    /// <summary>Luma sample bit depth (8–14).</summary>
    public int BitDepthLuma { get; private set; } = 8;

    /// <summary>Chroma sample bit depth (8–14).</summary>
    public int BitDepthChroma { get; private set; } = 8;

    /// <summary><c>qpprime_y_zero_transform_bypass_flag</c>.</summary>
    public bool TransformBypass { get; private set; }

    /// <summary><c>seq_scaling_matrix_present_flag</c>: the SPS carries scaling lists (they are skipped, not kept).</summary>
    public bool HasScalingMatrix { get; private set; }

    /// <summary>log2 of MaxFrameNum (4–16): the width of <c>frame_num</c> in slice headers.</summary>
    public int Log2MaxFrameNum { get; private set; }

    /// <summary><c>pic_order_cnt_type</c> (0–2).</summary>
    public int PicOrderCntType { get; private set; }

    /// <summary>log2 of MaxPicOrderCntLsb (4–16) when <see cref="PicOrderCntType"/> is 0; otherwise 0.</summary>
    public int Log2MaxPicOrderCntLsb { get; private set; }

    /// <summary><c>delta_pic_order_always_zero_flag</c> (picture order count type 1).</summary>
    public bool DeltaPicOrderAlwaysZero { get; private set; }

    /// <summary><c>offset_for_non_ref_pic</c> (picture order count type 1).</summary>
    public int OffsetForNonRefPic { get; private set; }

    /// <summary><c>offset_for_top_to_bottom_field</c> (picture order count type 1).</summary>
    public int OffsetForTopToBottomField { get; private set; }

    /// <summary><c>offset_for_ref_frame[]</c> (picture order count type 1; empty otherwise).</summary>
    public IReadOnlyList<int> OffsetsForRefFrame { get; private set; } = [];

    /// <summary><c>max_num_ref_frames</c> (0–16).</summary>
    public int MaxNumRefFrames { get; private set; }

    /// <summary><c>gaps_in_frame_num_value_allowed_flag</c>.</summary>
    public bool GapsInFrameNumAllowed { get; private set; }

    /// <summary>Picture width in macroblocks.</summary>
    public int PicWidthInMbs { get; private set; }

    /// <summary>Picture height in slice group map units (macroblock pairs when <see cref="FrameMbsOnly"/> is false).</summary>
    public int PicHeightInMapUnits { get; private set; }

    /// <summary><c>frame_mbs_only_flag</c>: false when the stream may hold field pictures (interlaced).</summary>
    public bool FrameMbsOnly { get; private set; }

    /// <summary><c>mb_adaptive_frame_field_flag</c> (MBAFF).</summary>
    public bool MbAdaptiveFrameField { get; private set; }

    /// <summary><c>direct_8x8_inference_flag</c>.</summary>
    public bool Direct8x8Inference { get; private set; }

    /// <summary>Coded frame width in luma samples (a multiple of 16), before cropping.</summary>
    public int CodedWidth => PicWidthInMbs * 16;

    /// <summary>Coded frame height in luma samples, before cropping.</summary>
    public int CodedHeight => (FrameMbsOnly ? 1 : 2) * PicHeightInMapUnits * 16;

    /// <summary>Luma samples cropped from the left edge.</summary>
    public int CropLeft { get; private set; }

    /// <summary>Luma samples cropped from the right edge.</summary>
    public int CropRight { get; private set; }

    /// <summary>Luma samples cropped from the top edge.</summary>
    public int CropTop { get; private set; }

    /// <summary>Luma samples cropped from the bottom edge.</summary>
    public int CropBottom { get; private set; }

    /// <summary>Displayed width in pixels, after cropping.</summary>
    public int Width => CodedWidth - CropLeft - CropRight;

    /// <summary>Displayed height in pixels, after cropping.</summary>
    public int Height => CodedHeight - CropTop - CropBottom;

    /// <summary>
    /// The RFC 6381 codecs parameter, <c>avc1.PPCCLL</c> in lower-case hex (e.g. <c>avc1.64001f</c>), as HLS
    /// playlists and MSE need it.
    /// </summary>
    public string CodecString => FormatCodecString(ProfileIdc, ConstraintFlags, LevelIdc);

    /// <inheritdoc/>
    public override string ToString() =>
        $"{CodecString} {Width}x{Height}" + (FrameRate is { } fps ? $" {fps:0.###} fps" : "");

    internal static string FormatCodecString(byte profile, byte constraints, byte level) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"avc1.{profile:x2}{constraints:x2}{level:x2}");
}
