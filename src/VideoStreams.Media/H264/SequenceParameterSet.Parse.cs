using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using VideoStreams.Media.Bits;

namespace VideoStreams.Media.H264;

public sealed partial class SequenceParameterSet
{
    // Level 6.2 (Table A-1) is the largest picture H.264 defines: MaxFS = 139 264 macroblocks, and no side longer
    // than sqrt(8 * MaxFS) = 1055 macroblocks (A.3.1). Anything bigger is a corrupt or hostile SPS.
    private const int MaxFrameSizeInMbs = 139_264;
    private const int MaxSideInMbs = 1055;
    private const int MaxDpbFrames = 16;
    private const int StackBufferSize = 256;

    /// <summary>Parses an SPS NAL unit.</summary>
    /// <param name="nalUnit">The NAL unit, header byte first, with its emulation-prevention bytes (as sent).</param>
    /// <exception cref="MediaFormatException">
    /// <see cref="MediaFormatError.InvalidSps"/>: not an SPS, cut short, a value outside its range, or an impossible
    /// picture size.
    /// </exception>
    public static SequenceParameterSet Parse(ReadOnlySpan<byte> nalUnit)
    {
        if (nalUnit.IsEmpty || (nalUnit[0] & 0x80) != 0 || (nalUnit[0] & 0x1F) != (int)NalUnitType.Sps)
        {
            ThrowHelper.Throw(MediaFormatError.InvalidSps, "not an SPS NAL unit");
        }

        var payload = nalUnit[1..];
        byte[]? rented = null;
        var buffer = payload.Length <= StackBufferSize
            ? stackalloc byte[StackBufferSize]
            : (rented = ArrayPool<byte>.Shared.Rent(payload.Length));
        try
        {
            var rbsp = buffer[..H264Rbsp.Unescape(payload, buffer)];
            var sps = new SequenceParameterSet();
            var reader = new BitReader(rbsp, MediaFormatError.InvalidSps);
            sps.ReadFields(ref reader);
            return sps;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private void ReadFields(ref BitReader reader)
    {
        ProfileIdc = (byte)reader.ReadBits(8);
        ConstraintFlags = (byte)reader.ReadBits(8);
        LevelIdc = (byte)reader.ReadBits(8);
        Id = (int)ReadUe(ref reader, 31, "seq_parameter_set_id");

        if (HasChromaInfo(ProfileIdc))
        {
            ChromaFormatIdc = (int)ReadUe(ref reader, 3, "chroma_format_idc");
            if (ChromaFormatIdc == 3)
            {
                SeparateColourPlane = reader.ReadFlag();
            }

            BitDepthLuma = 8 + (int)ReadUe(ref reader, 6, "bit_depth_luma_minus8");
            BitDepthChroma = 8 + (int)ReadUe(ref reader, 6, "bit_depth_chroma_minus8");
            TransformBypass = reader.ReadFlag();
            HasScalingMatrix = reader.ReadFlag();
            if (HasScalingMatrix)
            {
                var lists = ChromaFormatIdc != 3 ? 8 : 12;
                for (var i = 0; i < lists; i++)
                {
                    if (reader.ReadFlag())
                    {
                        SkipScalingList(ref reader, i < 6 ? 16 : 64);
                    }
                }
            }
        }

        Log2MaxFrameNum = 4 + (int)ReadUe(ref reader, 12, "log2_max_frame_num_minus4");
        PicOrderCntType = (int)ReadUe(ref reader, 2, "pic_order_cnt_type");
        if (PicOrderCntType == 0)
        {
            Log2MaxPicOrderCntLsb = 4 + (int)ReadUe(ref reader, 12, "log2_max_pic_order_cnt_lsb_minus4");
        }
        else if (PicOrderCntType == 1)
        {
            DeltaPicOrderAlwaysZero = reader.ReadFlag();
            OffsetForNonRefPic = reader.ReadSe();
            OffsetForTopToBottomField = reader.ReadSe();
            var cycle = (int)ReadUe(ref reader, 255, "num_ref_frames_in_pic_order_cnt_cycle");
            var offsets = new int[cycle];
            for (var i = 0; i < cycle; i++)
            {
                offsets[i] = reader.ReadSe();
            }

            OffsetsForRefFrame = offsets;
        }

        MaxNumRefFrames = (int)ReadUe(ref reader, MaxDpbFrames, "max_num_ref_frames");
        GapsInFrameNumAllowed = reader.ReadFlag();
        PicWidthInMbs = 1 + (int)ReadUe(ref reader, MaxSideInMbs - 1, "pic_width_in_mbs_minus1");
        PicHeightInMapUnits = 1 + (int)ReadUe(ref reader, MaxSideInMbs - 1, "pic_height_in_map_units_minus1");
        FrameMbsOnly = reader.ReadFlag();
        var heightInMbs = (FrameMbsOnly ? 1 : 2) * PicHeightInMapUnits;
        Check(heightInMbs <= MaxSideInMbs && PicWidthInMbs * heightInMbs <= MaxFrameSizeInMbs, "picture size");
        if (!FrameMbsOnly)
        {
            MbAdaptiveFrameField = reader.ReadFlag();
        }

        Direct8x8Inference = reader.ReadFlag();
        if (reader.ReadFlag())
        {
            ReadCropping(ref reader);
        }

        if (reader.ReadFlag())
        {
            var vuiReader = reader.WithError(MediaFormatError.Truncated);
            ReadVui(ref vuiReader);
        }
    }

    /// <summary>
    /// Frame cropping offsets count in crop units (7.4.2.1.1): chroma sample pairs horizontally and vertically for
    /// 4:2:0, horizontally only for 4:2:2, and doubled vertically when the frame is made of two fields.
    /// </summary>
    private void ReadCropping(ref BitReader reader)
    {
        var left = reader.ReadUe();
        var right = reader.ReadUe();
        var top = reader.ReadUe();
        var bottom = reader.ReadUe();
        var chromaArrayType = SeparateColourPlane ? 0 : ChromaFormatIdc;
        var fieldFactor = FrameMbsOnly ? 1 : 2;
        var (cropUnitX, cropUnitY) = chromaArrayType switch
        {
            1 => (2, 2 * fieldFactor),
            2 => (2, fieldFactor),
            _ => (1, fieldFactor),
        };

        var cropX = cropUnitX * ((long)left + right);
        var cropY = cropUnitY * ((long)top + bottom);
        Check(cropX < CodedWidth && cropY < CodedHeight, "frame cropping leaves no picture");
        CropLeft = (int)(cropUnitX * left);
        CropRight = (int)(cropUnitX * right);
        CropTop = (int)(cropUnitY * top);
        CropBottom = (int)(cropUnitY * bottom);
    }

    /// <summary>Skips <c>scaling_list()</c> (7.3.2.1.1.1); the lists matter to decoders, not to us.</summary>
    private static void SkipScalingList(ref BitReader reader, int size)
    {
        int last = 8, next = 8;
        for (var j = 0; j < size && next != 0; j++)
        {
            var delta = reader.ReadSe();
            Check(delta is >= -128 and <= 127, "delta_scale");
            next = (last + delta + 256) % 256;
            last = next == 0 ? last : next;
        }
    }

    /// <summary>Profiles whose SPS codes chroma format, bit depths and scaling lists (7.3.2.1.1).</summary>
    internal static bool HasChromaInfo(int profileIdc) =>
        profileIdc is 100 or 110 or 122 or 244 or 44 or 83 or 86 or 118 or 128 or 138 or 139 or 134 or 135
            // 144 was High 4:4:4 before its removal in 2007; its streams still use this syntax.
            or 144;

    private static uint ReadUe(ref BitReader reader, uint max, string field)
    {
        var value = reader.ReadUe();
        Check(value <= max, field);
        return value;
    }

    private static void Check([DoesNotReturnIf(false)] bool condition, string what)
    {
        if (!condition)
        {
            ThrowHelper.Throw(MediaFormatError.InvalidSps, "SPS value out of range: " + what);
        }
    }
}
