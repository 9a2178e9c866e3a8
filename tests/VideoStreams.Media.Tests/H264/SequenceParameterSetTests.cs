using VideoStreams.Media.H264;
using VideoStreams.TestSupport;

namespace VideoStreams.Media.Tests.H264;

[Collection(EncodedVariantsCollection.Name)]
public sealed class SequenceParameterSetTests(EncodedVariants variants)
{
    public static TheoryData<string> H264Samples() =>
        new(Samples.Baseline360p25, Samples.Main360p30Aac, Samples.High720p30Aac, Samples.High720p25, Samples.ResolutionChange);

    [Theory]
    [MemberData(nameof(EncodedVariants.Names), MemberType = typeof(EncodedVariants))]
    public void Sps_of_encoded_stream_agrees_with_ffprobe(string name)
    {
        var variant = variants[name];
        var sps = AvcDecoderConfigurationRecord.Parse(variant.AvcC).ParseSequenceParameterSet();

        AssertAgrees(sps, variant.Facts);
    }

    [Theory]
    [MemberData(nameof(H264Samples))]
    public async Task Sps_of_sample_agrees_with_ffprobe(string sample)
    {
        var path = Samples.PathOf(sample);
        var sps = AvcDecoderConfigurationRecord.Parse(await FfprobeFacts.ExtradataAsync(path, "v:0")).ParseSequenceParameterSet();

        AssertAgrees(sps, await FfprobeFacts.StreamAsync(path, "v:0"));
    }

    [Fact]
    public void Sps_with_cropping_reports_displayed_size()
    {
        var sps = Parse("high-1920x1080-crop");

        Assert.Equal((1920, 1088), (sps.CodedWidth, sps.CodedHeight));
        Assert.Equal((1920, 1080), (sps.Width, sps.Height));
        Assert.Equal(8, sps.CropBottom);
    }

    [Fact]
    public void Interlaced_sps_counts_field_pairs_and_doubles_the_vertical_crop_unit()
    {
        var sps = Parse("interlaced-720x484-sar16-11");

        Assert.False(sps.FrameMbsOnly);
        Assert.Equal(512, sps.CodedHeight); // 16 macroblock pairs
        Assert.Equal(28, sps.CropBottom); // 7 crop units of 4 lines (4:2:0, two fields)
        Assert.Equal((720, 484), (sps.Width, sps.Height));
        Assert.Equal((16, 11), (sps.SarWidth, sps.SarHeight));
    }

    [Fact]
    public void High_444_sps_reports_chroma_format_and_crops_in_single_samples()
    {
        var sps = Parse("high444-322x242");

        Assert.Equal(244, sps.ProfileIdc);
        Assert.Equal(3, sps.ChromaFormatIdc);
        Assert.Equal((14, 14), (sps.CropRight, sps.CropBottom)); // 336x256 coded; 4:4:4 crops in single samples
        Assert.Equal("avc1.f4000d", sps.CodecString);
    }

    [Fact]
    public void High_422_sps_reports_bit_depth_and_horizontal_only_chroma_crop_unit()
    {
        var sps = Parse("high422-318x238-10bit");

        Assert.Equal((2, 10, 10), (sps.ChromaFormatIdc, sps.BitDepthLuma, sps.BitDepthChroma));
        Assert.Equal((2, 2), (sps.CropRight, sps.CropBottom)); // one unit of 2 across, two units of 1 down
    }

    [Fact]
    public void Sps_reports_vui_timing_as_frame_rate()
    {
        var sps = Parse("baseline-854x480-ntsc");

        Assert.True(sps.HasTimingInfo);
        Assert.Equal(24000 / 1001.0, sps.FrameRate!.Value, 6);
        Assert.Equal("avc1.42c01e", sps.CodecString);
    }

    [Fact]
    public void Sps_with_hrd_parameters_still_reaches_the_bitstream_restriction()
    {
        var sps = Parse("main-640x360-hrd");

        Assert.True(sps.HasNalHrd);
        Assert.Equal(variants["main-640x360-hrd"].Facts.HasBFrames, sps.MaxNumReorderFrames);
        Assert.Equal(30.0, sps.FrameRate);
    }

    [Fact]
    public void Sps_reports_colour_description_and_full_range()
    {
        var sps = Parse("high-720x480-fullrange-bt709");

        Assert.True(sps.VideoFullRange);
        Assert.Equal((1, 1, 1), (sps.ColourPrimaries, sps.TransferCharacteristics, sps.MatrixCoefficients));
        Assert.Equal((40, 33), (sps.SarWidth, sps.SarHeight));
    }

    [Fact]
    public void Sps_with_picture_order_count_type_1_reads_its_offset_cycle()
    {
        var nal = new SpsBuilder { Profile = 77, PocType = 1, OffsetForNonRefPic = -2, OffsetForTopToBottomField = 1, RefFrameOffsets = [2, -4, 6] }.Build();

        var sps = SequenceParameterSet.Parse(nal);

        Assert.Equal(1, sps.PicOrderCntType);
        Assert.Equal(-2, sps.OffsetForNonRefPic);
        Assert.Equal(1, sps.OffsetForTopToBottomField);
        Assert.Equal([2, -4, 6], sps.OffsetsForRefFrame);
        Assert.Equal((640, 368), (sps.Width, sps.Height));
    }

    [Theory]
    [InlineData(0u, false, true, 3, 5)] // monochrome: crop unit 1 x 1
    [InlineData(0u, false, false, 3, 10)] // monochrome, fields: 1 x 2
    [InlineData(2u, false, false, 6, 10)] // 4:2:2 fields: 2 x 2
    [InlineData(3u, true, true, 3, 5)] // separate colour planes: ChromaArrayType 0, 1 x 1
    [InlineData(1u, false, true, 6, 10)] // 4:2:0 frames: 2 x 2
    public void Crop_unit_follows_chroma_format_and_field_coding(uint chroma, bool separatePlanes, bool frameMbsOnly, int cropX, int cropY)
    {
        var nal = new SpsBuilder
        {
            ChromaFormat = chroma,
            SeparateColourPlane = separatePlanes,
            FrameMbsOnly = frameMbsOnly,
            HeightInMapUnitsMinus1 = frameMbsOnly ? 22u : 11u,
            Crop = (1, 2, 0, 5),
        }.Build();

        var sps = SequenceParameterSet.Parse(nal);

        Assert.Equal(640 - cropX, sps.Width);
        Assert.Equal(384 - (frameMbsOnly ? 16 : 0) - cropY, sps.Height);
    }

    [Fact]
    public void Sps_with_scaling_lists_in_every_shape_parses_past_them()
    {
        var nal = new SpsBuilder { ScalingLists = true, ChromaFormat = 3, Crop = (0, 0, 0, 8) }.Build();

        var sps = SequenceParameterSet.Parse(nal);

        Assert.Equal((640, 360), (sps.Width, sps.Height));
    }

    [Fact]
    public void Sps_without_vui_has_no_frame_rate_and_square_pixels()
    {
        var sps = SequenceParameterSet.Parse(new SpsBuilder().Build());

        Assert.False(sps.HasVui);
        Assert.Null(sps.FrameRate);
        Assert.Null(sps.MaxNumReorderFrames);
        Assert.Equal((1, 1), (sps.SarWidth, sps.SarHeight));
    }

    [Fact]
    public void Vui_timing_with_zero_fields_is_ignored_like_ffmpeg_does()
    {
        var sps = SequenceParameterSet.Parse(new SpsBuilder { Vui = SpsBuilder.TimingVui(0, 60, true) }.Build());

        Assert.False(sps.HasTimingInfo);
        Assert.Null(sps.FrameRate);
    }

    [Fact]
    public void Vui_timing_gives_half_the_tick_rate()
    {
        var sps = SequenceParameterSet.Parse(new SpsBuilder { Vui = SpsBuilder.TimingVui(1001, 60000, true) }.Build());

        Assert.Equal((1001u, 60000u, true), (sps.NumUnitsInTick, sps.TimeScale, sps.FixedFrameRate));
        Assert.Equal(29.97, sps.FrameRate!.Value, 2);
    }

    [Fact]
    public void Truncated_vui_keeps_what_was_read_and_drops_the_rest()
    {
        var nal = new SpsBuilder
        {
            Vui = (ref Bits.BitWriter w) =>
            {
                w.WriteBit(true); // aspect ratio present
                w.WriteBits(255, 8);
                w.WriteBits(4, 16);
                w.WriteBits(3, 16);
                w.WriteBits(0, 3); // overscan, signal type, chroma loc
                w.WriteBit(true); // timing present ... and then the encoder stops writing
                w.WriteBits(1, 16);
            },
        }.Build();

        var sps = SequenceParameterSet.Parse(nal);

        Assert.Equal((640, 368), (sps.Width, sps.Height));
        Assert.Equal((4, 3), (sps.SarWidth, sps.SarHeight));
        Assert.False(sps.HasTimingInfo);
    }

    [Fact]
    public void Codec_strings_follow_rfc_6381()
    {
        Assert.Equal("avc1.64001f", SequenceParameterSet.Parse(new SpsBuilder { Profile = 100, Level = 31 }.Build()).CodecString);
        Assert.Equal("avc1.4d401e", SequenceParameterSet.Parse(new SpsBuilder { Profile = 77, Constraints = 0x40, Level = 30 }.Build()).CodecString);
    }

    private SequenceParameterSet Parse(string variant) =>
        AvcDecoderConfigurationRecord.Parse(variants[variant].AvcC).ParseSequenceParameterSet();

    private static void AssertAgrees(SequenceParameterSet sps, StreamFacts facts)
    {
        Assert.Equal(facts.Width, sps.Width);
        Assert.Equal(facts.Height, sps.Height);
        Assert.Equal(facts.Level, sps.LevelIdc);
        Assert.Equal(facts.Profile, ProfileName(sps));
        Assert.Contains(sps.ChromaFormatIdc switch { 0 => "gray", 1 => "420", 2 => "422", _ => "444" }, facts.PixelFormat, StringComparison.Ordinal);
        Assert.Equal(sps.BitDepthLuma > 8, facts.PixelFormat.EndsWith("le", StringComparison.Ordinal));
        Assert.Equal(sps.VideoFullRange, facts.ColorRange == "pc" || facts.PixelFormat.StartsWith("yuvj", StringComparison.Ordinal));
        if (facts.SampleAspectRatio is { Length: > 0 } sar && sar != "N/A" && sar != "0:1")
        {
            Assert.Equal(sar, $"{sps.SarWidth}:{sps.SarHeight}");
        }

        if (sps.MaxNumReorderFrames is { } reorder)
        {
            Assert.Equal(facts.HasBFrames, reorder);
        }

        if (sps.HasTimingInfo)
        {
            var parts = facts.FrameRate.Split('/');
            Assert.Equal(double.Parse(parts[0]) / double.Parse(parts[1]), sps.FrameRate!.Value, 6);
        }
    }

    /// <summary>The profile names FFmpeg prints.</summary>
    private static string ProfileName(SequenceParameterSet sps) => sps.ProfileIdc switch
    {
        66 when (sps.ConstraintFlags & 0x40) != 0 => "Constrained Baseline",
        66 => "Baseline",
        77 => "Main",
        88 => "Extended",
        100 => "High",
        110 => "High 10",
        122 => "High 4:2:2",
        244 => "High 4:4:4 Predictive",
        _ => sps.ProfileIdc.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
