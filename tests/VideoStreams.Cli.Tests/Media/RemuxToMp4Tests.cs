using VideoStreams.TestSupport;

namespace VideoStreams.Cli.Tests.Media;

/// <summary><c>vs media remux IN.mkv OUT.mp4</c>: a progressive MP4 that players accept and can start before it has all arrived.</summary>
public sealed class RemuxToMp4Tests(RemuxedSamples remuxed) : IClassFixture<RemuxedSamples>
{
    public static TheoryData<string> Inputs => [Samples.High720p30Aac, Samples.LacedBlockGroups, Samples.ResolutionChange, Samples.Baseline360p25];

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task Remux_to_mp4_writes_a_file_ffmpeg_reads_and_decodes_without_complaint(string sample)
    {
        var (run, output) = await remuxed.GetAsync(sample, "mp4");

        Assert.StartsWith("wrote out.mp4", run.StdOut, StringComparison.Ordinal);
        Assert.Equal(["out.mp4"], Directory.GetFiles(Path.GetDirectoryName(output)!).Select(Path.GetFileName));
        Assert.Equal("", await MediaJudges.FfprobeErrorsAsync(output));
        Assert.Equal("", await MediaJudges.DecodeErrorsAsync(output));
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task Remux_to_mp4_puts_moov_before_mdat_and_keeps_every_frame(string sample)
    {
        var (_, output) = await remuxed.GetAsync(sample, "mp4");

        var types = TopLevelBoxes.Read(output).Select(b => b.Type).ToList();
        Assert.Equal("ftyp", types[0]);
        Assert.Contains("moov", types);
        Assert.Contains("mdat", types);
        Assert.True(types.IndexOf("moov") < types.IndexOf("mdat"), "moov must come first for progressive playback: " + string.Join(' ', types));
        await AssertSamePacketsAsync(sample, output);
    }

    [Fact]
    public async Task Remux_to_mp4_of_a_resolution_change_shows_both_picture_sizes_from_the_same_times()
    {
        var (_, output) = await remuxed.GetAsync(Samples.ResolutionChange, "mp4");

        var expected = await Decoded.ConfigurationRunsAsync(Samples.PathOf(Samples.ResolutionChange));
        var actual = await Decoded.ConfigurationRunsAsync(output);
        Assert.Equal(expected.Select(r => r.Size), actual.Select(r => r.Size));
        Assert.All(expected.Zip(actual), pair => Assert.Equal(pair.First.FromSeconds, pair.Second.FromSeconds, 0.0011));
    }

    [Fact]
    public async Task Remux_to_mp4_replaces_an_existing_file()
    {
        using var temp = new TempFolder();
        var output = temp["out.mp4"];
        await File.WriteAllTextAsync(output, "an older file");

        await Vs.SucceedAsync("media", "remux", Samples.PathOf(Samples.Tiny), output);

        Assert.Equal("", await MediaJudges.FfprobeErrorsAsync(output));
        Assert.Equal(["out.mp4"], Directory.GetFiles(temp.Path).Select(Path.GetFileName));
    }

    /// <summary>Same number of video and audio packets as the sample, same keyframes, same presentation times (to 1 ms).</summary>
    internal static async Task AssertSamePacketsAsync(string sample, string output)
    {
        var source = await FfprobeFacts.OfSampleAsync(sample);
        // ffprobe times laced frames by splitting their block's duration in whole milliseconds, drifting up to 2 ms;
        // the laced sample was made by mkvmerge from main-…, whose unlaced frames carry the exact times.
        var timing = sample == Samples.LacedBlockGroups ? await FfprobeFacts.OfSampleAsync(Samples.Main360p30Aac) : source;
        var remuxed = await FfprobeReport.ProbeAsync(output);
        foreach (var (stream, timed) in source.Streams.Zip(timing.Streams))
        {
            var want = source.PacketsOf(stream);
            var got = remuxed.PacketsOf(stream.Type);
            Assert.Equal(want.Count, got.Count);
            Assert.Equal(want.Count(p => p.IsKey), got.Count(p => p.IsKey));
            var wantTimes = timing.PacketsOf(timed).Select(p => p.Pts).Order().ToList();
            var gotTimes = got.Select(p => p.Pts ?? double.NaN).Order().ToList();
            // Matroska stores milliseconds; an MP4 track's own timescale may be finer.
            Assert.All(wantTimes.Zip(gotTimes), pair => Assert.Equal(pair.First, pair.Second, 0.0011));
        }
    }
}
