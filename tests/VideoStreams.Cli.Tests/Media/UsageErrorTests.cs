using VideoStreams.TestSupport;

namespace VideoStreams.Cli.Tests.Media;

/// <summary>Command lines that make no sense: a non-zero exit, a message saying why, no stack trace, nothing written.</summary>
public sealed class UsageErrorTests
{
    [Theory]
    [InlineData("OUTPUT file or --hls DIR", "out.mp4", "--hls", "hls")]
    [InlineData("OUTPUT file or --hls DIR")]
    [InlineData("--segment-seconds", "--hls", "hls", "--segment-seconds", "0")]
    [InlineData("--segment-seconds", "--hls", "hls", "--segment-seconds", "-1")]
    [InlineData("--segment-seconds", "--hls", "hls", "--segment-seconds", "61")]
    [InlineData("--segment-seconds", "--hls", "hls", "--segment-seconds", "abc")]
    [InlineData("--segment-seconds", "--hls", "hls", "--segment-seconds", "NaN")]
    [InlineData("--bogus", "out.mp4", "--bogus")]
    public async Task A_remux_command_line_that_makes_no_sense_is_refused_with_a_message(string expected, params string[] arguments)
    {
        using var temp = new TempFolder();
        var run = await Vs.RunAsync(["media", "remux", Samples.PathOf(Samples.Tiny), .. arguments.Select(a => a is "out.mp4" or "hls" ? temp[a] : a)]);

        AssertRefused(run, expected);
        Assert.Empty(temp.Snapshot());
    }

    [Theory]
    [InlineData("probe")]
    [InlineData("")]
    public async Task A_command_without_its_arguments_is_refused_with_usage(string command)
    {
        var run = await Vs.RunAsync(command.Length == 0 ? ["media"] : ["media", command]);

        AssertRefused(run, "Required");
        Assert.Contains("Usage:", run.StdOut, StringComparison.Ordinal);
    }

    private static void AssertRefused(ToolResult run, string expected)
    {
        var context = $"exit {run.ExitCode}\nstdout: {run.StdOut}\nstderr: {run.StdErr}";
        Assert.True(run.ExitCode is not 0 and not CliErrors.Internal, context);
        Assert.True(run.StdErr.Contains(expected, StringComparison.Ordinal), context);
        Vs.AssertNoStackTrace(run);
    }
}
