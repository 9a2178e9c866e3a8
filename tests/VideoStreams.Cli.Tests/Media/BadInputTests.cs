using VideoStreams.TestSupport;

namespace VideoStreams.Cli.Tests.Media;

/// <summary>
/// Inputs that are not usable media: every command ends with exit code 2 and one "vs: " line naming the input, prints no
/// stack trace, and leaves no output (nor a <c>.partial</c>) behind.
/// </summary>
public sealed class BadInputTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var input in new[] { "garbage", "empty", "truncated", "missing", "folder" })
        {
            foreach (var command in new[] { "probe", "probe --json", "remux mp4", "remux mkv", "remux hls" })
            {
                data.Add(input, command);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_input_ends_in_one_error_line_with_exit_code_2_and_no_output(string input, string command)
    {
        using var temp = new TempFolder();
        var path = MakeInput(temp, input);
        var before = temp.Snapshot();

        var run = await Vs.RunAsync(Arguments(command, path, temp));

        var line = Vs.AssertOneErrorLine(run, CliErrors.BadInput);
        Assert.Contains(Path.GetFileName(path), line, StringComparison.Ordinal);
        Assert.Equal(before, temp.Snapshot());
    }

    [Theory]
    [InlineData("probe")]
    [InlineData("remux mp4")]
    public async Task A_truncated_file_is_reported_as_truncated(string command)
    {
        using var temp = new TempFolder();

        var run = await Vs.RunAsync(Arguments(command, Samples.PathOf(Samples.Truncated), temp));

        Assert.Contains("Truncated", Vs.AssertOneErrorLine(run, CliErrors.BadInput), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("probe")]
    [InlineData("remux mkv")]
    public async Task An_mp4_given_as_input_is_called_not_a_Matroska_file(string command)
    {
        using var temp = new TempFolder();
        var mp4 = Path.ChangeExtension(Samples.PathOf(Samples.Main360p30Aac), ".mp4");

        var run = await Vs.RunAsync(Arguments(command, mp4, temp));

        Assert.Contains("not a Matroska file", Vs.AssertOneErrorLine(run, CliErrors.BadInput), StringComparison.Ordinal);
        Assert.Empty(temp.Snapshot());
    }

    [Fact]
    public async Task A_file_without_h264_or_aac_is_bad_input_for_remux_but_probes_fine()
    {
        using var temp = new TempFolder();
        var input = temp["mpeg4-part2.mkv"];
        (await ToolRunner.RunAsync("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10:duration=1", "-c:v", "mpeg4", input))
            .EnsureSuccess("ffmpeg mpeg4");
        var before = temp.Snapshot();

        var probe = await Vs.SucceedAsync("media", "probe", input);
        var mp4 = await Vs.RunAsync("media", "remux", input, temp["out.mp4"]);
        var hls = await Vs.RunAsync("media", "remux", input, "--hls", temp["hls"]);

        Assert.Contains("V_MPEG4/ISO/ASP", probe.StdOut, StringComparison.Ordinal);
        Assert.Contains("UnsupportedCodec", Vs.AssertOneErrorLine(mp4, CliErrors.BadInput), StringComparison.Ordinal);
        Assert.Contains("UnsupportedCodec", Vs.AssertOneErrorLine(hls, CliErrors.BadInput), StringComparison.Ordinal);
        Assert.Equal(before, temp.Snapshot());
    }

    [Theory]
    [InlineData("remux mp4")]
    [InlineData("remux mkv")]
    [InlineData("remux hls")]
    public async Task A_failed_remux_leaves_an_earlier_output_as_it_was(string command)
    {
        using var temp = new TempFolder();
        await Vs.SucceedAsync(Arguments(command, Samples.PathOf(Samples.Tiny), temp));
        var before = temp.Snapshot();

        var run = await Vs.RunAsync(Arguments(command, Samples.PathOf(Samples.Truncated), temp));

        Vs.AssertOneErrorLine(run, CliErrors.BadInput);
        Assert.Equal(before, temp.Snapshot());
    }

    internal static string[] Arguments(string command, string input, TempFolder temp) => command switch
    {
        "probe" => ["media", "probe", input],
        "probe --json" => ["media", "probe", input, "--json"],
        "remux mp4" => ["media", "remux", input, temp["out.mp4"]],
        "remux mkv" => ["media", "remux", input, temp["out.mkv"]],
        "remux hls" => ["media", "remux", input, "--hls", temp["hls"]],
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, null),
    };

    private static string MakeInput(TempFolder temp, string kind)
    {
        switch (kind)
        {
            case "garbage":
                var bytes = new byte[64 * 1024];
                new Random(6381).NextBytes(bytes);
                File.WriteAllBytes(temp["garbage.mkv"], bytes);
                return temp["garbage.mkv"];
            case "empty":
                File.WriteAllBytes(temp["empty.mkv"], []);
                return temp["empty.mkv"];
            case "truncated":
                return Samples.PathOf(Samples.Truncated);
            case "missing":
                return temp["missing.mkv"];
            case "folder":
                Directory.CreateDirectory(temp["folder.mkv"]);
                return temp["folder.mkv"];
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }
}
