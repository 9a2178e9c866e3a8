using VideoStreams.Media.Tests.Mp4;
using VideoStreams.TestSupport;

namespace VideoStreams.Media.Tests.Remux;

/// <summary>A second SPS mid-stream (640x360 → 1280x720 at 3 s) plays through in both outputs.</summary>
public sealed class ResolutionChangeTests(RemuxOutputs outputs) : IClassFixture<RemuxOutputs>
{
    [Fact]
    public async Task Hls_marks_the_change_with_a_discontinuity_and_a_new_map()
    {
        var playlist = await outputs.HlsAsync(Samples.ResolutionChange);
        var text = await File.ReadAllTextAsync(playlist);

        Assert.Contains("#EXT-X-MAP:URI=\"init-0.mp4\"", text, StringComparison.Ordinal);
        Assert.Contains("#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"init-1.mp4\"", text, StringComparison.Ordinal);
        Assert.Single(text.Split('\n'), l => l == "#EXT-X-DISCONTINUITY");
        var init1 = ParsedMp4.Parse(await File.ReadAllBytesAsync(Path.Combine(Path.GetDirectoryName(playlist)!, "init-1.mp4")));
        var description = Assert.Single(init1.Tracks[0].Descriptions);
        Assert.Equal((1280, 720), (description.Width, description.Height));
        await AssertSizeChangesAtThreeSeconds(playlist);
    }

    [Fact]
    public async Task Mp4_has_a_second_sample_description_used_from_the_change()
    {
        var mp4 = await outputs.Mp4Async(Samples.ResolutionChange);
        var parsed = ParsedMp4.Parse(await File.ReadAllBytesAsync(mp4));
        var video = parsed.Tracks.Single(t => t.Handler == "vide");

        Assert.Equal([(640, 360), (1280, 720)], video.Descriptions.Select(d => (d.Width, d.Height)));
        Assert.Equal(90, video.Samples.Count(s => s.DescriptionIndex == 0));
        Assert.Equal(90, video.Samples.Count(s => s.DescriptionIndex == 1));
        await AssertSizeChangesAtThreeSeconds(mp4);
    }

    private static async Task AssertSizeChangesAtThreeSeconds(string path)
    {
        var frames = await MediaJudges.DecodedVideoFramesAsync(path);

        Assert.Equal(180, frames.Count);
        Assert.All(frames.Where(f => f.Pts < 2.999), f => Assert.Equal((640, 360), (f.Width, f.Height)));
        Assert.All(frames.Where(f => f.Pts > 2.999), f => Assert.Equal((1280, 720), (f.Width, f.Height)));
    }
}
