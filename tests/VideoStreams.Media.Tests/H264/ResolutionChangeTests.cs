using VideoStreams.Media.H264;
using VideoStreams.TestSupport;

namespace VideoStreams.Media.Tests.H264;

public sealed class ResolutionChangeTests
{
    [Fact]
    public async Task In_band_sps_reveals_the_mid_stream_resolution_change_where_the_decoder_sees_it()
    {
        var path = Samples.PathOf(Samples.ResolutionChange);
        var video = await RealVideo.ExtractAsync(path);
        var config = AvcDecoderConfigurationRecord.Parse(video.AvcC);
        var sizes = new List<(int Packet, int Width, int Height)>();

        var index = 0;
        foreach (var packet in video.AvccPackets())
        {
            if (H264Nal.TryFindParameterSets(packet.Span, config.NalLengthSize, out var sps, out var pps)
                && !config.ContainsParameterSets(sps, pps))
            {
                config = AvcDecoderConfigurationRecord.Create(sps, pps, config.NalLengthSize);
                var parsed = config.ParseSequenceParameterSet();
                sizes.Add((index, parsed.Width, parsed.Height));
            }

            index++;
        }

        var frames = await MediaJudges.DecodedVideoFramesAsync(path);
        var firstLarge = frames.ToList().FindIndex(f => f.Width == 1280);
        Assert.Equal([(firstLarge, 1280, 720)], sizes);
        Assert.Equal((640, 360), (frames[0].Width, frames[0].Height));
    }
}
