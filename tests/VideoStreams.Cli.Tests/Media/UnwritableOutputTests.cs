namespace VideoStreams.Cli.Tests.Media;

/// <summary>Outputs that cannot be written: one "vs: " line, a non-zero exit, and nothing left behind.</summary>
public sealed class UnwritableOutputTests
{
    [Theory]
    [InlineData("a-file/out.mp4")]
    [InlineData("a-file/out.mkv")]
    [InlineData("a-file/deeper/out.mp4")]
    [InlineData("a-folder")]
    [InlineData("a-folder.mkv")]
    public async Task An_output_file_under_a_file_or_onto_a_folder_fails_in_one_line_and_writes_nothing(string output)
    {
        using var temp = Prepare();
        var before = temp.Snapshot();

        var run = await Vs.RunAsync("media", "remux", TestSupport.Samples.PathOf(TestSupport.Samples.Tiny), temp[output]);

        Assert.Contains(output, Vs.AssertOneErrorLine(run, CliErrors.Failure), StringComparison.Ordinal);
        Assert.Equal(before, temp.Snapshot());
    }

    [Theory]
    [InlineData("a-file/hls")]
    [InlineData("a-file")]
    [InlineData("a-folder/x/a-file/hls")]
    public async Task An_hls_folder_where_a_file_is_fails_in_one_line_and_writes_nothing(string folder)
    {
        using var temp = Prepare();
        if (folder.StartsWith("a-folder/x/", StringComparison.Ordinal))
        {
            Directory.CreateDirectory(temp["a-folder/x"]);
            File.WriteAllText(temp["a-folder/x/a-file"], "in the way");
        }

        var before = temp.Snapshot();

        var run = await Vs.RunAsync("media", "remux", TestSupport.Samples.PathOf(TestSupport.Samples.Tiny), "--hls", temp[folder]);

        Vs.AssertOneErrorLine(run, CliErrors.Failure);
        Assert.Equal(before, temp.Snapshot());
    }

    private static TempFolder Prepare()
    {
        var temp = new TempFolder();
        File.WriteAllText(temp["a-file"], "not a folder");
        Directory.CreateDirectory(temp["a-folder"]);
        Directory.CreateDirectory(temp["a-folder.mkv"]);
        return temp;
    }
}
