using VideoStreams.Media.H264;

namespace VideoStreams.Media.Tests.H264;

/// <summary>Cut, flipped and lying inputs: each gives a <see cref="MediaFormatException"/> or a sane result, nothing else.</summary>
[Collection(EncodedVariantsCollection.Name)]
public sealed class MalformedInputTests(EncodedVariants variants)
{
    [Fact]
    public void Every_prefix_of_a_real_sps_is_refused_or_parses_to_the_same_picture()
    {
        foreach (var variant in variants.All)
        {
            var config = AvcDecoderConfigurationRecord.Parse(variant.AvcC);
            var sps = config.SequenceParameterSets[0].ToArray();
            var full = SequenceParameterSet.Parse(sps);
            var refused = 0;
            for (var length = 0; length < sps.Length; length++)
            {
                try
                {
                    var partial = SequenceParameterSet.Parse(sps.AsSpan(0, length));

                    // Only a cut inside the VUI can parse (a truncated VUI is tolerated): the picture is the same.
                    Assert.Equal((full.Width, full.Height, full.CodecString), (partial.Width, partial.Height, partial.CodecString));
                }
                catch (MediaFormatException e)
                {
                    Assert.Equal(MediaFormatError.InvalidSps, e.Error);
                    refused++;
                }
            }

            Assert.True(refused >= 4, variant.Name);
        }
    }

    [Fact]
    public void Every_prefix_of_a_real_avcc_is_refused_or_parses()
    {
        foreach (var variant in variants.All)
        {
            for (var length = 0; length < variant.AvcC.Length; length++)
            {
                AssertRefusedOrSane(variant.AvcC.AsSpan(0, length).ToArray());
            }
        }
    }

    [Fact]
    public void Random_bit_flips_in_real_parameter_sets_are_refused_or_parse_to_sane_values()
    {
        var random = new Random(7_31_2024);
        var configs = variants.All.Select(v => v.AvcC).ToArray();
        for (var i = 0; i < 3000; i++)
        {
            var bytes = configs[random.Next(configs.Length)].ToArray();
            var flips = 1 + random.Next(3);
            for (var f = 0; f < flips; f++)
            {
                // Mostly inside the SPS (after the 8-byte header), sometimes in the header.
                var at = random.Next(10) == 0 ? random.Next(bytes.Length) : 8 + random.Next(bytes.Length - 8);
                bytes[at] ^= (byte)(1 << random.Next(8));
            }

            AssertRefusedOrSane(bytes);
        }
    }

    [Fact]
    public void Sps_claiming_a_100000_by_100000_picture_is_invalid()
    {
        var nal = new SpsBuilder { WidthInMbsMinus1 = 6249, HeightInMapUnitsMinus1 = 6249 }.Build();

        Assert.Equal(MediaFormatError.InvalidSps, Assert.Throws<MediaFormatException>(() => SequenceParameterSet.Parse(nal)).Error);
    }

    [Theory]
    [InlineData(1055u, 131u)] // each side allowed, but the area is beyond level 6.2
    [InlineData(2000u, 10u)] // a side beyond sqrt(8 * MaxFS)
    [InlineData(10u, 600u)] // 600 field pairs: 1202 macroblocks high
    public void Sps_with_a_picture_beyond_level_6_2_is_invalid(uint widthMinus1, uint heightMinus1)
    {
        var nal = new SpsBuilder { WidthInMbsMinus1 = widthMinus1, HeightInMapUnitsMinus1 = heightMinus1, FrameMbsOnly = heightMinus1 != 600 }.Build();

        Assert.Equal(MediaFormatError.InvalidSps, Assert.Throws<MediaFormatException>(() => SequenceParameterSet.Parse(nal)).Error);
    }

    [Fact]
    public void Largest_level_6_2_picture_is_accepted()
    {
        var sps = SequenceParameterSet.Parse(new SpsBuilder { WidthInMbsMinus1 = 511, HeightInMapUnitsMinus1 = 269 }.Build());

        Assert.Equal((8192, 4320), (sps.Width, sps.Height));
    }

    public static TheoryData<string> LyingSps() =>
        new("crop-everything", "crop-overflow", "sps-id-32", "chroma-4", "bit-depth-15", "frame-num-17-bits", "poc-type-3",
            "ref-frames-17", "exp-golomb-33-bits", "not-an-sps", "forbidden-bit", "empty", "reorder-beyond-buffering", "hrd-33-cpbs");

    [Theory]
    [MemberData(nameof(LyingSps))]
    public void Sps_that_lies_is_an_invalid_sps(string lie)
    {
        byte[] nal = lie switch
        {
            "crop-everything" => new SpsBuilder { Crop = (0, 0, 0, 184) }.Build(),
            "crop-overflow" => new SpsBuilder { Crop = (uint.MaxValue - 1, uint.MaxValue - 1, 0, 0) }.Build(),
            "sps-id-32" => new SpsBuilder { Id = 32 }.Build(),
            "chroma-4" => new SpsBuilder { ChromaFormat = 4 }.Build(),
            "bit-depth-15" => new SpsBuilder { BitDepthLumaMinus8 = 7 }.Build(),
            "frame-num-17-bits" => new SpsBuilder { Log2MaxFrameNumMinus4 = 13 }.Build(),
            "poc-type-3" => new SpsBuilder { PocType = 3 }.Build(),
            "ref-frames-17" => new SpsBuilder { MaxRefFrames = 17 }.Build(),
            "exp-golomb-33-bits" => [0x67, 0x64, 0x00, 0x1F, 0x00, 0x00, 0x00, 0x00, 0x80],
            "not-an-sps" => [0x68, 0x64, 0x00, 0x1F, 0x80],
            "forbidden-bit" => [0xE7, 0x64, 0x00, 0x1F, 0x80],
            "empty" => [],
            "reorder-beyond-buffering" => new SpsBuilder { Vui = RestrictionVui(reorder: 3, buffering: 2) }.Build(),
            "hrd-33-cpbs" => new SpsBuilder
            {
                Vui = (ref Bits.BitWriter w) =>
                {
                    w.WriteBits(0, 5); // aspect, overscan, signal, chroma loc, timing
                    w.WriteBit(true); // nal hrd
                    w.WriteUe(32);
                    w.WriteBits(0, 8);
                },
            }.Build(),
            _ => throw new ArgumentOutOfRangeException(nameof(lie)),
        };

        Assert.Equal(MediaFormatError.InvalidSps, Assert.Throws<MediaFormatException>(() => SequenceParameterSet.Parse(nal)).Error);
    }

    [Fact]
    public void Bitstream_restriction_gives_the_reorder_depth()
    {
        var sps = SequenceParameterSet.Parse(new SpsBuilder { Vui = RestrictionVui(reorder: 2, buffering: 4) }.Build());

        Assert.Equal((2, 4), (sps.MaxNumReorderFrames, sps.MaxDecFrameBuffering));
    }

    [Fact]
    public void Pps_ids_are_read_and_lies_refused()
    {
        var config = AvcDecoderConfigurationRecord.Parse(variants["main-640x360-hrd"].AvcC);
        var pps = PictureParameterSet.Parse(config.PictureParameterSets[0].Span);

        Assert.Equal((0, 0, true), (pps.Id, pps.SpsId, pps.EntropyCodingModeCabac));
        Assert.False(PictureParameterSet.Parse(AvcDecoderConfigurationRecord.Parse(variants["baseline-854x480-ntsc"].AvcC).PictureParameterSets[0].Span).EntropyCodingModeCabac);
        Assert.Equal(MediaFormatError.InvalidPps, Assert.Throws<MediaFormatException>(() => PictureParameterSet.Parse([0x68])).Error);
        Assert.Equal(MediaFormatError.InvalidPps, Assert.Throws<MediaFormatException>(() => PictureParameterSet.Parse([0x67, 0xCE])).Error);
        Assert.Equal(MediaFormatError.InvalidPps, Assert.Throws<MediaFormatException>(() => PictureParameterSet.Parse([0x68, 0x00, 0x00, 0x03, 0x01])).Error);
    }

    private static BitsWriter RestrictionVui(uint reorder, uint buffering) => (ref Bits.BitWriter w) =>
    {
        w.WriteBits(0, 8); // aspect, overscan, signal, chroma loc, timing, nal hrd, vcl hrd, pic struct
        w.WriteBit(true);
        w.WriteBit(true); // motion vectors over pic boundaries
        w.WriteUe(2);
        w.WriteUe(1);
        w.WriteUe(16);
        w.WriteUe(16);
        w.WriteUe(reorder);
        w.WriteUe(buffering);
    };

    private static void AssertRefusedOrSane(byte[] avcC)
    {
        AvcDecoderConfigurationRecord config;
        try
        {
            config = AvcDecoderConfigurationRecord.Parse(avcC);
            Assert.True(config.Size <= avcC.Length);
        }
        catch (MediaFormatException e)
        {
            Assert.Equal(MediaFormatError.InvalidAvcConfig, e.Error);
            return;
        }

        foreach (var sps in config.SequenceParameterSets)
        {
            try
            {
                var parsed = SequenceParameterSet.Parse(sps.Span);
                Assert.InRange(parsed.Width, 1, 16_880);
                Assert.InRange(parsed.Height, 1, 16_880);
                Assert.InRange((long)parsed.Width * parsed.Height, 1, 139_264L * 256);
                Assert.Matches("^avc1\\.[0-9a-f]{6}$", parsed.CodecString);
            }
            catch (MediaFormatException e)
            {
                Assert.Equal(MediaFormatError.InvalidSps, e.Error);
            }
        }

        foreach (var pps in config.PictureParameterSets)
        {
            try
            {
                Assert.InRange(PictureParameterSet.Parse(pps.Span).SpsId, 0, 31);
            }
            catch (MediaFormatException e)
            {
                Assert.Equal(MediaFormatError.InvalidPps, e.Error);
            }
        }
    }
}
