using VideoStreams.TestSupport;

namespace VideoStreams.Media.Tests.Remux;

/// <summary>
/// The acceptance judges: for every sample, our MP4 and our fMP4 HLS are accepted by ffprobe and decode silently in
/// ffmpeg, with the source's frame count, keyframe positions, presentation timestamps (to 1 ms) and audio packets.
/// </summary>
public sealed class RemuxJudgeTests(RemuxOutputs outputs) : IClassFixture<RemuxOutputs>
{
    [Theory]
    [MemberData(nameof(Samples.WellFormedMkvData), MemberType = typeof(Samples))]
    public async Task Mp4_is_accepted_and_decodes_silently(string sample)
    {
        var mp4 = await outputs.Mp4Async(sample);

        Assert.Equal("", await MediaJudges.FfprobeErrorsAsync(mp4));
        Assert.Equal("", await MediaJudges.DecodeErrorsAsync(mp4));
    }

    [Theory]
    [MemberData(nameof(Samples.WellFormedMkvData), MemberType = typeof(Samples))]
    public async Task Mp4_has_the_source_frames_keyframes_and_timestamps(string sample)
    {
        await AssertSameTimeline(sample, await outputs.Mp4Async(sample));
    }

    [Theory]
    [MemberData(nameof(Samples.WellFormedMkvData), MemberType = typeof(Samples))]
    public async Task Hls_is_accepted_and_decodes_silently(string sample)
    {
        var playlist = await outputs.HlsAsync(sample);

        Assert.Equal("", await MediaJudges.FfprobeErrorsAsync(playlist));
        Assert.Equal("", await MediaJudges.DecodeErrorsAsync(playlist));
    }

    [Theory]
    [MemberData(nameof(Samples.WellFormedMkvData), MemberType = typeof(Samples))]
    public async Task Hls_has_the_source_frames_keyframes_and_timestamps(string sample)
    {
        await AssertSameTimeline(sample, await outputs.HlsAsync(sample));
    }

    private static async Task AssertSameTimeline(string sample, string output)
    {
        // mkvmerge laced the audio of the laced sample; ffmpeg reads lace times truncated to whole milliseconds, so
        // the true times are those of the file it was made from.
        var reference = sample == Samples.LacedBlockGroups ? Samples.Main360p30Aac : sample;
        var source = await FfprobeReport.ProbeAsync(Samples.PathOf(reference));
        var ours = await FfprobeReport.ProbeAsync(output);

        foreach (var kind in new[] { "video", "audio" })
        {
            var expected = source.PacketsOf(kind);
            var actual = ours.PacketsOf(kind);
            Assert.Equal(expected.Count, actual.Count);
            Assert.Equal(expected.Select(p => p.IsKey), actual.Select(p => p.IsKey));
            Assert.Equal(expected.Select(p => p.Size), actual.Select(p => p.Size));
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.True(
                    Math.Abs(expected[i].Pts!.Value - actual[i].Pts!.Value) <= 0.001,
                    $"{kind} packet {i}: source pts {expected[i].Pts:0.000000}, ours {actual[i].Pts:0.000000}");
            }
        }
    }
}
