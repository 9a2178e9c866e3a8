using VideoStreams.TestSupport;

namespace VideoStreams.Cli.Tests.Media;

/// <summary><c>vs media remux IN.mkv --hls DIR</c>: an fMP4 HLS VOD folder that players accept.</summary>
public sealed class RemuxToHlsTests(RemuxedSamples remuxed) : IClassFixture<RemuxedSamples>
{
    public static TheoryData<string> Inputs => [Samples.High720p30Aac, Samples.LacedBlockGroups, Samples.Baseline360p25, Samples.Tiny];

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task Remux_to_hls_writes_playlists_ffmpeg_plays_without_complaint(string sample)
    {
        var (_, folder) = await remuxed.GetAsync(sample, "hls");

        var hls = new HlsFolder(folder);
        Assert.Equal(["hls"], Directory.GetFileSystemEntries(Path.GetDirectoryName(folder)!).Select(Path.GetFileName));
        Assert.Equal("", await MediaJudges.FfprobeErrorsAsync(hls.IndexPath));
        Assert.Equal("", await MediaJudges.DecodeErrorsAsync(hls.IndexPath));
        await RemuxToMp4Tests.AssertSamePacketsAsync(sample, hls.IndexPath);
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task Remux_to_hls_advertises_the_codecs_and_resolution_ffprobe_reports(string sample)
    {
        var facts = await FfprobeFacts.OfSampleAsync(sample);

        var (_, folder) = await remuxed.GetAsync(sample, "hls");

        var hls = new HlsFolder(folder);
        Assert.Equal(string.Join(',', facts.Streams.Select(s => s.Codec)), hls.Codecs);
        Assert.Equal($"{facts.Video.Width}x{facts.Video.Height}", hls.Resolution);
        Assert.Contains("\nindex.m3u8", hls.Master, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task Remux_to_hls_lists_every_segment_it_writes_and_nothing_else(string sample)
    {
        var source = await FfprobeFacts.OfSampleAsync(sample);

        var (run, folder) = await remuxed.GetAsync(sample, "hls");

        var hls = new HlsFolder(folder);
        Assert.Contains($"{hls.Segments.Count} segments", run.StdOut, StringComparison.Ordinal);
        Assert.Equal(hls.Segments.Count, hls.Durations.Count);
        Assert.Equal(
            hls.Segments.Concat(hls.Maps).Append("index.m3u8").Append("master.m3u8").Order(StringComparer.Ordinal),
            hls.Files);
        // RFC 8216 §4.3.3.1: every EXTINF, rounded, is at most the target duration.
        Assert.All(hls.Durations, d => Assert.True(Math.Round(d) <= hls.TargetDuration, $"EXTINF {d} > TARGETDURATION {hls.TargetDuration}"));
        var sourceSeconds = source.PacketsOf(source.Video).Max(p => p.Pts) - source.PacketsOf(source.Video).Min(p => p.Pts);
        Assert.InRange(hls.Durations.Sum(), sourceSeconds, sourceSeconds + 0.2);
    }

    [Fact]
    public async Task Remux_to_hls_of_a_resolution_change_starts_a_new_init_segment_behind_a_discontinuity()
    {
        using var temp = new TempFolder();
        var folder = temp["hls"];

        await Vs.SucceedAsync("media", "remux", Samples.PathOf(Samples.ResolutionChange), "--hls", folder);

        var hls = new HlsFolder(folder);
        Assert.Equal(["init-0.mp4", "init-1.mp4"], hls.Maps);
        Assert.Single(hls.Index.Split('\n'), l => l == "#EXT-X-DISCONTINUITY");
        Assert.True(hls.Index.IndexOf("#EXT-X-DISCONTINUITY", StringComparison.Ordinal) < hls.Index.IndexOf("init-1.mp4", StringComparison.Ordinal));
        Assert.Equal("640x360", hls.Resolution);
        Assert.Equal("", await MediaJudges.FfprobeErrorsAsync(hls.IndexPath));
        Assert.Equal("", await MediaJudges.DecodeErrorsAsync(hls.IndexPath));
        var expected = await Decoded.ConfigurationRunsAsync(Samples.PathOf(Samples.ResolutionChange));
        var actual = await Decoded.ConfigurationRunsAsync(hls.IndexPath);
        Assert.Equal(expected.Select(r => r.Size), actual.Select(r => r.Size));
        Assert.All(expected.Zip(actual), pair => Assert.Equal(pair.First.FromSeconds, pair.Second.FromSeconds, 0.0011));
    }

    [Theory]
    [InlineData(Samples.ResolutionChange, 1)]
    [InlineData(Samples.High720p30Aac, 4)]
    public async Task Segment_seconds_sets_how_long_segments_last_cut_at_the_next_keyframe(string sample, int seconds)
    {
        using var temp = new TempFolder();
        var folder = temp["hls"];
        var source = await FfprobeFacts.OfSampleAsync(sample);
        var keyframes = source.KeyframesOf(source.Video).Select(p => p.Pts).ToList();
        var longestGop = keyframes.Zip(keyframes.Skip(1), (a, b) => b - a).Max();

        await Vs.SucceedAsync("media", "remux", Samples.PathOf(sample), "--hls", folder, "--segment-seconds", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var hls = new HlsFolder(folder);
        Assert.True(hls.Durations.Count > 1, hls.Index);
        Assert.All(hls.Durations.SkipLast(1), d => Assert.InRange(d, seconds - 0.05, seconds + longestGop + 0.05));
        Assert.Equal("", await MediaJudges.FfprobeErrorsAsync(hls.IndexPath));
    }

    [Fact]
    public async Task Remux_to_hls_over_an_earlier_run_leaves_only_what_the_new_playlist_names()
    {
        using var temp = new TempFolder();
        var folder = temp["hls"];
        var sample = Samples.PathOf(Samples.ResolutionChange);
        await Vs.SucceedAsync("media", "remux", sample, "--hls", folder, "--segment-seconds", "1");
        var before = new HlsFolder(folder).Segments.Count;
        await File.WriteAllTextAsync(Path.Combine(folder, "notes.txt"), "the user's own file");

        await Vs.SucceedAsync("media", "remux", sample, "--hls", folder, "--segment-seconds", "3");

        var hls = new HlsFolder(folder);
        Assert.True(hls.Segments.Count < before, $"{hls.Segments.Count} segments after {before}");
        Assert.Equal(
            hls.Segments.Concat(hls.Maps).Append("index.m3u8").Append("master.m3u8").Append("notes.txt").Order(StringComparer.Ordinal),
            hls.Files);
        Assert.Equal(["hls"], Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName));
        Assert.Equal("", await MediaJudges.FfprobeErrorsAsync(hls.IndexPath));
    }

    [Fact]
    public async Task Remux_to_hls_creates_missing_parent_folders()
    {
        using var temp = new TempFolder();
        var folder = temp["a/b/hls"];

        await Vs.SucceedAsync("media", "remux", Samples.PathOf(Samples.Tiny), "--hls", folder);

        Assert.Equal("", await MediaJudges.FfprobeErrorsAsync(new HlsFolder(folder).IndexPath));
    }
}
