namespace VideoStreams.Media.H264;

public sealed partial class SequenceParameterSet
{
    /// <summary><c>vui_parameters_present_flag</c>.</summary>
    public bool HasVui { get; private set; }

    /// <summary><c>aspect_ratio_idc</c> (Table E-1; 255 = explicit), or 0 when not given.</summary>
    public int AspectRatioIdc { get; private set; }

    /// <summary>Sample (pixel) aspect ratio, horizontal part; 1 when unspecified.</summary>
    public int SarWidth { get; private set; } = 1;

    /// <summary>Sample (pixel) aspect ratio, vertical part; 1 when unspecified.</summary>
    public int SarHeight { get; private set; } = 1;

    /// <summary><c>video_full_range_flag</c>: samples use the full 0–255 range rather than 16–235.</summary>
    public bool VideoFullRange { get; private set; }

    /// <summary><c>colour_primaries</c> (ISO/IEC 23091-2); 2 = unspecified.</summary>
    public int ColourPrimaries { get; private set; } = 2;

    /// <summary><c>transfer_characteristics</c> (ISO/IEC 23091-2); 2 = unspecified.</summary>
    public int TransferCharacteristics { get; private set; } = 2;

    /// <summary><c>matrix_coefficients</c> (ISO/IEC 23091-2); 2 = unspecified.</summary>
    public int MatrixCoefficients { get; private set; } = 2;

    /// <summary>True when the VUI carries usable timing (<c>num_units_in_tick</c> and <c>time_scale</c> both non-zero).</summary>
    public bool HasTimingInfo { get; private set; }

    /// <summary><c>num_units_in_tick</c>, or 0 without timing info.</summary>
    public uint NumUnitsInTick { get; private set; }

    /// <summary><c>time_scale</c> (ticks per second), or 0 without timing info.</summary>
    public uint TimeScale { get; private set; }

    /// <summary><c>fixed_frame_rate_flag</c>.</summary>
    public bool FixedFrameRate { get; private set; }

    /// <summary>
    /// Frames per second from the VUI timing, <c>time_scale / (2 × num_units_in_tick)</c> (a frame is two fields'
    /// worth of ticks), or null without timing info. A maximum rate unless <see cref="FixedFrameRate"/> is set.
    /// </summary>
    public double? FrameRate => HasTimingInfo ? TimeScale / (2.0 * NumUnitsInTick) : null;

    /// <summary><c>nal_hrd_parameters_present_flag</c>.</summary>
    public bool HasNalHrd { get; private set; }

    /// <summary><c>vcl_hrd_parameters_present_flag</c>.</summary>
    public bool HasVclHrd { get; private set; }

    /// <summary><c>pic_struct_present_flag</c>: picture timing SEI messages carry <c>pic_struct</c>.</summary>
    public bool PicStructPresent { get; private set; }

    /// <summary>
    /// <c>max_num_reorder_frames</c> from the VUI bitstream restriction: how many frames may precede another in
    /// decoding order and follow it in output order (0 = no B-frame delay). Null when not given.
    /// </summary>
    public int? MaxNumReorderFrames { get; private set; }

    /// <summary><c>max_dec_frame_buffering</c> from the VUI bitstream restriction, or null when not given.</summary>
    public int? MaxDecFrameBuffering { get; private set; }

    /// <summary>Width:height of Table E-1's sample aspect ratios, indexed by <c>aspect_ratio_idc</c> 1–16.</summary>
    private static ReadOnlySpan<byte> SarTable =>
    [
        0, 0, 1, 1, 12, 11, 10, 11, 16, 11, 40, 33, 24, 11, 20, 11, 32, 11,
        80, 33, 18, 11, 15, 11, 64, 33, 160, 99, 4, 3, 3, 2, 2, 1,
    ];

    /// <summary>
    /// Reads <c>vui_parameters()</c>. Encoders in the wild truncate the VUI (FFmpeg warns "Truncated VUI" and carries
    /// on), so running out of bits here keeps every group read completely and drops the rest, rather than refusing a
    /// stream whose picture is perfectly decodable. Values that are out of range are still refused.
    /// </summary>
    private void ReadVui(ref Bits.BitReader reader)
    {
        HasVui = true;
        try
        {
            ReadVuiGroups(ref reader);
        }
        catch (MediaFormatException e) when (e.Error == MediaFormatError.Truncated)
        {
            // Truncated VUI: keep what was read.
        }
    }

    private void ReadVuiGroups(ref Bits.BitReader reader)
    {
        if (reader.ReadFlag())
        {
            var idc = (int)reader.ReadBits(8);
            int sarW = 0, sarH = 0;
            if (idc == 255)
            {
                sarW = (int)reader.ReadBits(16);
                sarH = (int)reader.ReadBits(16);
            }
            else if (idc is >= 1 and <= 16)
            {
                sarW = SarTable[idc * 2];
                sarH = SarTable[(idc * 2) + 1];
            }

            AspectRatioIdc = idc;
            if (sarW != 0 && sarH != 0)
            {
                // Zero parts or reserved idc values mean "unspecified" (E.2.1): keep square pixels.
                SarWidth = sarW;
                SarHeight = sarH;
            }
        }

        if (reader.ReadFlag())
        {
            reader.Skip(1); // overscan_appropriate_flag
        }

        if (reader.ReadFlag())
        {
            reader.Skip(3); // video_format
            var fullRange = reader.ReadFlag();
            int primaries = 2, transfer = 2, matrix = 2;
            if (reader.ReadFlag())
            {
                primaries = (int)reader.ReadBits(8);
                transfer = (int)reader.ReadBits(8);
                matrix = (int)reader.ReadBits(8);
            }

            VideoFullRange = fullRange;
            ColourPrimaries = primaries;
            TransferCharacteristics = transfer;
            MatrixCoefficients = matrix;
        }

        if (reader.ReadFlag())
        {
            Check(reader.ReadUe() <= 5, "chroma_sample_loc_type_top_field");
            Check(reader.ReadUe() <= 5, "chroma_sample_loc_type_bottom_field");
        }

        if (reader.ReadFlag())
        {
            var units = reader.ReadBits(32);
            var scale = reader.ReadBits(32);
            var fixedRate = reader.ReadFlag();

            // Both must be non-zero (E.2.1); FFmpeg ignores the timing otherwise, and so do we.
            if (units != 0 && scale != 0)
            {
                HasTimingInfo = true;
                NumUnitsInTick = units;
                TimeScale = scale;
                FixedFrameRate = fixedRate;
            }
        }

        var nalHrd = reader.ReadFlag();
        if (nalHrd)
        {
            SkipHrdParameters(ref reader);
        }

        var vclHrd = reader.ReadFlag();
        if (vclHrd)
        {
            SkipHrdParameters(ref reader);
        }

        if (nalHrd || vclHrd)
        {
            reader.Skip(1); // low_delay_hrd_flag
        }

        HasNalHrd = nalHrd;
        HasVclHrd = vclHrd;
        PicStructPresent = reader.ReadFlag();

        if (reader.ReadFlag())
        {
            reader.Skip(1); // motion_vectors_over_pic_boundaries_flag
            Check(reader.ReadUe() <= 16, "max_bytes_per_pic_denom");
            Check(reader.ReadUe() <= 16, "max_bits_per_mb_denom");
            // 0-16 in the first edition, 0-15 since; accept both.
            Check(reader.ReadUe() <= 16, "log2_max_mv_length_horizontal");
            Check(reader.ReadUe() <= 16, "log2_max_mv_length_vertical");
            var reorder = reader.ReadUe();
            var buffering = reader.ReadUe();
            Check(buffering <= MaxDpbFrames && reorder <= buffering, "max_num_reorder_frames / max_dec_frame_buffering");
            MaxNumReorderFrames = (int)reorder;
            MaxDecFrameBuffering = (int)buffering;
        }
    }

    private static void SkipHrdParameters(ref Bits.BitReader reader)
    {
        var cpbCount = reader.ReadUe() + 1;
        Check(cpbCount <= 32, "cpb_cnt_minus1");
        reader.Skip(8); // bit_rate_scale, cpb_size_scale
        for (var i = 0; i < cpbCount; i++)
        {
            reader.ReadUe(); // bit_rate_value_minus1
            reader.ReadUe(); // cpb_size_value_minus1
            reader.Skip(1); // cbr_flag
        }

        reader.Skip(20); // four 5-bit delay/offset lengths
    }
}
