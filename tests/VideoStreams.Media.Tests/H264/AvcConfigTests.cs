using VideoStreams.Media.H264;
using VideoStreams.TestSupport;

namespace VideoStreams.Media.Tests.H264;

[Collection(EncodedVariantsCollection.Name)]
public sealed class AvcConfigTests(EncodedVariants variants)
{
    [Theory]
    [MemberData(nameof(EncodedVariants.Names), MemberType = typeof(EncodedVariants))]
    public void Ffmpeg_avcc_parses_and_writes_back_byte_for_byte(string name)
    {
        var avcC = variants[name].AvcC;

        var config = AvcDecoderConfigurationRecord.Parse(avcC);

        Assert.Equal(avcC, config.ToArray());
        Assert.Equal(avcC.Length, config.Size);
    }

    [Theory]
    [MemberData(nameof(EncodedVariants.Names), MemberType = typeof(EncodedVariants))]
    public void Avcc_built_from_sps_and_pps_equals_what_ffmpeg_writes(string name)
    {
        var avcC = variants[name].AvcC;
        var parsed = AvcDecoderConfigurationRecord.Parse(avcC);

        var built = AvcDecoderConfigurationRecord.Create(parsed.SequenceParameterSets[0].Span, parsed.PictureParameterSets[0].Span);

        Assert.Equal(avcC, built.ToArray());
    }

    [Theory]
    [InlineData(Samples.Baseline360p25, "avc1.42c01e", false)]
    [InlineData(Samples.Main360p30Aac, "avc1.4d401e", false)]
    [InlineData(Samples.High720p30Aac, "avc1.64001f", true)]
    public async Task Sample_avcc_exposes_length_size_parameter_sets_and_codec_string(string sample, string codec, bool extension)
    {
        var avcC = await FfprobeFacts.ExtradataAsync(Samples.PathOf(sample), "v:0");

        var config = AvcDecoderConfigurationRecord.Parse(avcC);

        Assert.Equal(4, config.NalLengthSize);
        Assert.Equal(codec, config.CodecString);
        Assert.Equal(codec, config.ParseSequenceParameterSet().CodecString);
        Assert.Equal(NalUnitType.Sps, H264Nal.TypeOf(Assert.Single(config.SequenceParameterSets).Span));
        Assert.Equal(NalUnitType.Pps, H264Nal.TypeOf(Assert.Single(config.PictureParameterSets).Span));
        Assert.Equal(extension, config.HasExtension);
        Assert.Equal(avcC, AvcDecoderConfigurationRecord.Create(config.SequenceParameterSets, config.PictureParameterSets).ToArray());
    }

    [Fact]
    public void High_profile_extension_reports_chroma_format_and_bit_depths()
    {
        var config = AvcDecoderConfigurationRecord.Parse(variants["high422-318x238-10bit"].AvcC);

        Assert.True(config.HasExtension);
        Assert.Equal((2, 10, 10), (config.ChromaFormat, config.BitDepthLuma, config.BitDepthChroma));
        Assert.Empty(config.SequenceParameterSetExtensions);
    }

    [Fact]
    public void High_profile_avcc_without_its_extension_is_accepted()
    {
        var avcC = variants["high-1920x1080-crop"].AvcC;

        var config = AvcDecoderConfigurationRecord.Parse(avcC.AsSpan(0, avcC.Length - 4));

        Assert.False(config.HasExtension);
        Assert.Equal((1920, 1080), (config.ParseSequenceParameterSet().Width, config.ParseSequenceParameterSet().Height));
        Assert.Equal(avcC.AsSpan(0, avcC.Length - 4).ToArray(), config.ToArray());
    }

    [Fact]
    public void A_malformed_extension_is_ignored()
    {
        var avcC = variants["high-1920x1080-crop"].AvcC;
        byte[] broken = [.. avcC[..^1], 1, 0, 9]; // claims one SPS extension of 9 bytes, has none

        var config = AvcDecoderConfigurationRecord.Parse(broken);

        Assert.False(config.HasExtension);
        Assert.Single(config.PictureParameterSets);
    }

    [Fact]
    public void Reserved_bits_are_written_as_ones_whatever_was_read()
    {
        var avcC = variants["baseline-854x480-ntsc"].AvcC.ToArray();
        avcC[4] &= 0x03;
        avcC[5] &= 0x1F;

        var written = AvcDecoderConfigurationRecord.Parse(avcC).ToArray();

        Assert.Equal(0xFF, written[4]);
        Assert.Equal(0xE1, written[5]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Nal_length_size_is_kept(int lengthSize)
    {
        var parsed = AvcDecoderConfigurationRecord.Parse(variants["baseline-854x480-ntsc"].AvcC);

        var built = AvcDecoderConfigurationRecord.Create(parsed.SequenceParameterSets[0].Span, parsed.PictureParameterSets[0].Span, lengthSize);

        Assert.Equal(lengthSize, AvcDecoderConfigurationRecord.Parse(built.ToArray()).NalLengthSize);
    }

    [Fact]
    public void Parameter_sets_written_as_annex_b_come_sps_first()
    {
        var config = AvcDecoderConfigurationRecord.Parse(variants["main-640x360-hrd"].AvcC);
        var annexB = new byte[config.AnnexBParameterSetsSize];

        config.WriteAnnexBParameterSets(annexB);

        Assert.Equal(
            [NalUnitType.Sps, NalUnitType.Pps],
            NalFramingTests.Collect(H264Nal.EnumerateAnnexB(annexB)).Select(n => H264Nal.TypeOf(n)));
    }

    [Fact]
    public void Contains_parameter_sets_compares_bytes()
    {
        var config = AvcDecoderConfigurationRecord.Parse(variants["main-640x360-hrd"].AvcC);
        var other = AvcDecoderConfigurationRecord.Parse(variants["baseline-854x480-ntsc"].AvcC);

        Assert.True(config.ContainsParameterSets(config.SequenceParameterSets[0].Span, config.PictureParameterSets[0].Span));
        Assert.True(config.ContainsParameterSets(config.SequenceParameterSets[0].Span, default));
        Assert.False(config.ContainsParameterSets(other.SequenceParameterSets[0].Span, config.PictureParameterSets[0].Span));
    }

    [Theory]
    [InlineData("")]
    [InlineData("0164001f")]
    [InlineData("0064001fffe10004676400 1f00")] // configurationVersion 0
    [InlineData("0164001ffee10004676400 1f00")] // 3-byte NAL lengths
    [InlineData("0164001fffe1000967640 01f00")] // SPS length past the end
    [InlineData("0164001fffe10000 00")] // empty SPS
    [InlineData("0164001fffe100046864001f00")] // a PPS where the SPS should be
    [InlineData("0164001fffe1000467640 01f")] // ends before numOfPictureParameterSets
    [InlineData("0164001fffe10004676400 1f01000268")] // PPS cut short
    public void Malformed_avcc_is_an_invalid_avc_config(string hex)
    {
        var bytes = Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

        var error = Assert.Throws<MediaFormatException>(() => AvcDecoderConfigurationRecord.Parse(bytes));

        Assert.Equal(MediaFormatError.InvalidAvcConfig, error.Error);
    }

    [Fact]
    public void Avcc_without_sps_parses_but_has_no_sps_to_parse()
    {
        var config = AvcDecoderConfigurationRecord.Parse(Convert.FromHexString("0164001fffe000"));

        Assert.Empty(config.SequenceParameterSets);
        Assert.Equal(MediaFormatError.InvalidAvcConfig, Assert.Throws<MediaFormatException>(config.ParseSequenceParameterSet).Error);
    }

    [Fact]
    public void Building_from_a_bad_sps_is_an_invalid_sps()
    {
        var error = Assert.Throws<MediaFormatException>(() => AvcDecoderConfigurationRecord.Create([0x67, 0x64], [0x68, 0xEE, 0x3C, 0x80]));

        Assert.Equal(MediaFormatError.InvalidSps, error.Error);
    }
}
