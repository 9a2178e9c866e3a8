using System.Text.RegularExpressions;
using VideoStreams.TestSupport;

namespace VideoStreams.Cli.Tests.Media;

/// <summary><c>vs media remux IN.mkv OUT.mkv</c>: the KVS live layout, judged by mkvtoolnix and ffprobe.</summary>
public sealed class RemuxToMatroskaTests(RemuxedSamples remuxed) : IClassFixture<RemuxedSamples>
{
    public static TheoryData<string> Inputs => [Samples.High720p30Aac, Samples.LacedBlockGroups, Samples.LiveHigh720p30Aac, Samples.ResolutionChange];

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task Remux_to_mkv_writes_a_file_mkvtoolnix_and_ffprobe_accept_with_every_frame(string sample)
    {
        var (run, output) = await remuxed.GetAsync(sample, "mkv");

        Assert.StartsWith("wrote out.mkv", run.StdOut, StringComparison.Ordinal);
        Assert.Equal(["out.mkv"], Directory.GetFiles(Path.GetDirectoryName(output)!).Select(Path.GetFileName));
        var identify = await ToolRunner.RunAsync("mkvmerge", "--identify", output);
        Assert.True(identify.ExitCode == 0, identify.StdOut + identify.StdErr);
        Assert.Contains("container: Matroska", identify.StdOut, StringComparison.Ordinal);
        Assert.Equal("", await MediaJudges.FfprobeErrorsAsync(output));
        await RemuxToMp4Tests.AssertSamePacketsAsync(sample, output);
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task Remux_to_mkv_uses_the_live_layout_with_one_cluster_per_source_cluster(string sample)
    {
        var (_, output) = await remuxed.GetAsync(sample, "mkv");

        var source = await MkvInfoAsync(Samples.PathOf(sample));
        var written = await MkvInfoAsync(output);
        Assert.Contains("+ Segment: size unknown", written, StringComparison.Ordinal);
        Assert.Equal(Count(source, "Cluster"), Count(written, "Cluster"));
        Assert.Equal(Count(source, "Frame with size"), Count(written, "Simple block"));
        Assert.Equal(0, Count(written, "Block group"));
        Assert.Equal(0, Count(written, "Cues"));
        Assert.Equal(0, Count(written, "Seek head"));
    }

    private static async Task<string> MkvInfoAsync(string path)
    {
        var info = await ToolRunner.RunAsync("mkvinfo", "-v", path);
        Assert.True(info.ExitCode == 0, $"mkvinfo {path}: exit {info.ExitCode}\n{info.StdOut}{info.StdErr}");
        return info.StdOut;
    }

    // mkvinfo draws its tree with "|", spaces and "+ Element name", then ": value", " (note)" or " size".
    private static int Count(string mkvinfo, string element) =>
        Regex.Count(mkvinfo, $@"^[| ]*\+ {Regex.Escape(element)}(?:$|:| \(| \d)", RegexOptions.Multiline);
}
