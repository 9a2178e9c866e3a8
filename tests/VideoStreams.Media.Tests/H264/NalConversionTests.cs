using VideoStreams.Media.H264;
using VideoStreams.TestSupport;

namespace VideoStreams.Media.Tests.H264;

public sealed class NalConversionTests
{
    [Theory]
    [InlineData(Samples.High720p30Aac, 4)]
    [InlineData(Samples.Baseline360p25, 2)]
    public async Task Annex_b_to_avcc_and_back_keeps_every_nal_unit(string sample, int lengthSize)
    {
        var video = await RealVideo.ExtractAsync(Samples.PathOf(sample));

        var avcc = new byte[H264Nal.GetAvccSize(video.AnnexB, lengthSize)];
        Assert.Equal(avcc.Length, H264Nal.AnnexBToAvcc(video.AnnexB, avcc, lengthSize));
        var annexB = new byte[H264Nal.GetAnnexBSize(avcc, lengthSize)];
        Assert.Equal(annexB.Length, H264Nal.AvccToAnnexB(avcc, annexB, lengthSize));
        var again = new byte[H264Nal.GetAvccSize(annexB, lengthSize)];
        H264Nal.AnnexBToAvcc(annexB, again, lengthSize);

        Assert.Equal(NalFramingTests.Collect(H264Nal.EnumerateAnnexB(video.AnnexB)), NalFramingTests.Collect(H264Nal.EnumerateAnnexB(annexB)));
        Assert.Equal(avcc, again);
        var backAgain = new byte[annexB.Length];
        H264Nal.AvccToAnnexB(again, backAgain, lengthSize);
        Assert.Equal(annexB, backAgain);
    }

    [Fact]
    public async Task Annex_b_from_ffmpeg_converts_to_the_nal_units_the_mkv_stores()
    {
        var video = await RealVideo.ExtractAsync(Samples.PathOf(Samples.Main360p30Aac));

        var avcc = new byte[H264Nal.GetAvccSize(video.AnnexB, 4)];
        H264Nal.AnnexBToAvcc(video.AnnexB, avcc, 4);

        // h264_mp4toannexb puts the avcC's SPS and PPS in front of each IDR; apart from those, the same NAL units.
        static IEnumerable<string> WithoutParameterSets(List<byte[]> nals) =>
            nals.Where(n => H264Nal.TypeOf(n) is not (NalUnitType.Sps or NalUnitType.Pps)).Select(Convert.ToHexString);
        Assert.Equal(
            WithoutParameterSets(NalFramingTests.Collect(H264Nal.EnumerateAvcc(video.AvccStream, 4))),
            WithoutParameterSets(NalFramingTests.Collect(H264Nal.EnumerateAvcc(avcc, 4))));
    }

    [Fact]
    public async Task Avcc_packets_converted_to_annex_b_decode_cleanly_in_ffmpeg()
    {
        var video = await RealVideo.ExtractAsync(Samples.PathOf(Samples.High720p30Aac));
        var config = AvcDecoderConfigurationRecord.Parse(video.AvcC);
        using var folder = new TempFolder();
        var path = folder.File("ours.h264");

        var output = new byte[config.AnnexBParameterSetsSize + H264Nal.GetAnnexBSize(video.AvccStream, config.NalLengthSize)];
        var written = config.WriteAnnexBParameterSets(output);
        written += H264Nal.AvccToAnnexB(video.AvccStream, output.AsSpan(written), config.NalLengthSize);
        await File.WriteAllBytesAsync(path, output.AsMemory(0, written));

        Assert.Equal(output.Length, written);
        Assert.Equal("", await MediaJudges.DecodeErrorsAsync(path));
        var frames = await FfprobeFacts.DecodedFrameSizesAsync(path);
        Assert.Equal(video.Packets.Count, frames.Count);
        Assert.All(frames, f => Assert.Equal((1280, 720), f));
    }

    [Fact]
    public async Task Buffer_writer_overloads_write_the_same_bytes()
    {
        var video = await RealVideo.ExtractAsync(Samples.PathOf(Samples.Baseline360p25));
        var writer = new System.Buffers.ArrayBufferWriter<byte>();

        H264Nal.AnnexBToAvcc(video.AnnexB, writer, 4);
        var avcc = writer.WrittenSpan.ToArray();
        writer.Clear();
        H264Nal.AvccToAnnexB(avcc, writer, 4);

        var expected = new byte[H264Nal.GetAvccSize(video.AnnexB, 4)];
        H264Nal.AnnexBToAvcc(video.AnnexB, expected, 4);
        Assert.Equal(expected, avcc);
        Assert.Equal(H264Nal.GetAnnexBSize(avcc, 4), writer.WrittenCount);
    }

    [Theory]
    [InlineData(Samples.High720p30Aac)]
    [InlineData(Samples.Baseline360p25)]
    public async Task Contains_idr_agrees_with_the_keyframe_flags_ffprobe_reports(string sample)
    {
        var video = await RealVideo.ExtractAsync(Samples.PathOf(sample));

        var flags = video.AvccPackets().Select(p => H264Nal.ContainsIdr(p.Span, 4)).ToList();

        Assert.Equal(video.Packets.Select(p => p.IsKey), flags);
        Assert.Contains(true, flags);
        Assert.Contains(false, flags);
    }
}
