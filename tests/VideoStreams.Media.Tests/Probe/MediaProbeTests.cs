using System.Globalization;
using VideoStreams.Media.Probe;
using VideoStreams.TestSupport;

namespace VideoStreams.Media.Tests.Probe;

public sealed class MediaProbeTests
{
    [Theory]
    [MemberData(nameof(Samples.WellFormedMkvData), MemberType = typeof(Samples))]
    public async Task Probe_agrees_with_ffprobe_on_tracks_frames_and_keyframes(string sample)
    {
        var path = Samples.PathOf(sample);
        var ffprobe = await FfprobeReport.ProbeAsync(path);
        var levels = await ToolRunner.RunAsync("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=level", "-of", "csv=p=0", path);

        var probe = MediaProbe.Probe(await File.ReadAllBytesAsync(path));

        Assert.Equal(ffprobe.Streams.Count, probe.Tracks.Count);
        var video = probe.Tracks.Single(t => t.Type == "video");
        var videoPackets = ffprobe.PacketsOf("video");
        Assert.Equal(videoPackets.Count, video.Frames);
        Assert.Equal(videoPackets.Where(p => p.IsKey).Select(p => Math.Round(p.Pts!.Value, 3)), video.Keyframes.Select(k => Math.Round(k.TimeSeconds, 3)));
        var stream = ffprobe.Streams.Single(s => s.CodecType == "video");
        var profile = stream.Profile switch { "High" => "64", "Main" => "4d", _ => "42" };
        var level = int.Parse(levels.StdOut.Trim(), CultureInfo.InvariantCulture).ToString("x2", CultureInfo.InvariantCulture);
        Assert.StartsWith("avc1." + profile, video.Codec, StringComparison.Ordinal);
        Assert.EndsWith(level, video.Codec, StringComparison.Ordinal);
        Assert.Equal((stream.Width, stream.Height), (video.Width, video.Height));
        if (ffprobe.PacketsOf("audio").Count > 0)
        {
            var audio = probe.Tracks.Single(t => t.Type == "audio");
            Assert.Equal("mp4a.40.2", audio.Codec);
            Assert.Equal(ffprobe.PacketsOf("audio").Count, audio.Frames);
        }
    }

    [Fact]
    public void Probe_lists_each_configuration_of_a_stream_whose_resolution_changes()
    {
        var probe = MediaProbe.Probe(File.ReadAllBytes(Samples.PathOf(Samples.ResolutionChange)));

        var video = Assert.Single(probe.Tracks);
        Assert.Equal([(0.0, 640, 360), (3.0, 1280, 720)], video.Configurations.Select(c => (Math.Round(c.FromSeconds, 3), c.Width, c.Height)));
    }
}
