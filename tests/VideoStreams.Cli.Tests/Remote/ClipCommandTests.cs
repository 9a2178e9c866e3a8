using System.Globalization;
using VideoStreams.TestSupport;

namespace VideoStreams.Cli.Tests.Remote;

[Collection(CliServerCollection.Name)]
public sealed class ClipCommandTests(CliServer server)
{
    private static readonly string From = (CliServer.StartMs / 1000).ToString(CultureInfo.InvariantCulture);
    private static readonly string To = ((CliServer.StartMs / 1000) + CliServer.Seconds).ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_clip_is_written_whole_and_ffprobe_accepts_it()
    {
        using var temp = new TempFolder();
        var json = (await server.SucceedAsync("clip", CliServer.Stream, "--from", From, "--to", To, "-o", temp["clip.mp4"], "--json")).Json;

        var bytes = await File.ReadAllBytesAsync(temp["clip.mp4"]);
        Assert.Equal(bytes.Length, json.GetProperty("bytes").GetInt64());
        Assert.Equal(0, json.GetProperty("resumedFrom").GetInt64());
        Assert.False(File.Exists(temp["clip.mp4.vsclip"]), "the sidecar goes once the clip is whole");
        var duration = await ProbeDurationAsync(temp["clip.mp4"]);
        Assert.InRange(duration, CliServer.Seconds - 2, CliServer.Seconds + 1);

        var human = await server.SucceedAsync("clip", CliServer.Stream, "--from", From, "--to", To, "-o", temp["again.mp4"]);
        Assert.Contains($"({bytes.Length} bytes)", human.StdOut, StringComparison.Ordinal);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(temp["again.mp4"]));
    }

    [Fact]
    public async Task A_clip_to_stdout_is_the_same_bytes_as_the_file()
    {
        using var temp = new TempFolder();
        await server.SucceedAsync("clip", CliServer.Stream, "--from", From, "--to", To, "-o", temp["clip.mp4"]);

        var piped = await server.SucceedAsync("clip", CliServer.Stream, "--from", From, "--to", To, "-o", "-");

        Assert.Equal(await File.ReadAllBytesAsync(temp["clip.mp4"]), piped.StdOutBytes);
    }

    [Fact]
    public async Task A_clip_interrupted_with_ctrl_c_resumes_to_the_same_bytes()
    {
        using var temp = new TempFolder();
        await server.SucceedAsync("clip", CliServer.Stream, "--from", From, "--to", To, "-o", temp["whole.mp4"]);
        var whole = await File.ReadAllBytesAsync(temp["whole.mp4"]);

        var partial = await InterruptAsync(temp["clip.mp4"], whole.Length);
        Assert.True(File.Exists(temp["clip.mp4.vsclip"]), "the sidecar stays beside an unfinished clip");

        var resumed = (await server.SucceedAsync("clip", CliServer.Stream, "--from", From, "--to", To, "-o", temp["clip.mp4"], "--json")).Json;

        Assert.Equal(partial, resumed.GetProperty("resumedFrom").GetInt64());
        Assert.Equal(whole, await File.ReadAllBytesAsync(temp["clip.mp4"]));
        Assert.False(File.Exists(temp["clip.mp4.vsclip"]));
        await ProbeDurationAsync(temp["clip.mp4"]);
    }

    [Fact]
    public async Task A_clip_that_changed_since_the_interruption_is_downloaded_again_from_the_start()
    {
        using var temp = new TempFolder();
        await server.SucceedAsync("clip", CliServer.Stream, "--from", From, "--to", To, "-o", temp["whole.mp4"]);
        var whole = await File.ReadAllBytesAsync(temp["whole.mp4"]);
        await InterruptAsync(temp["clip.mp4"], whole.Length);

        // As if the fragment set had changed: the ETag kept beside the file is not the clip's any more, so If-Range
        // makes the server answer the whole clip (200), which replaces the partial file.
        var sidecar = temp["clip.mp4.vsclip"];
        var kept = Clips.ClipSidecar.Read(sidecar)!;
        Assert.NotEqual("\"changed\"", kept.ETag);
        (kept with { ETag = "\"changed\"" }).Write(sidecar);

        var rerun = (await server.SucceedAsync("clip", CliServer.Stream, "--from", From, "--to", To, "-o", temp["clip.mp4"], "--json")).Json;

        Assert.Equal(0, rerun.GetProperty("resumedFrom").GetInt64());
        Assert.Equal(whole, await File.ReadAllBytesAsync(temp["clip.mp4"]));
    }

    [Fact]
    public async Task Clip_errors_have_their_exit_codes()
    {
        using var temp = new TempFolder();
        (await server.VsAsync("clip", "no-such-stream", "--from", From, "--to", To, "-o", temp["x.mp4"])).AssertError(CliErrors.NotFound);
        (await server.VsAsync("clip", CliServer.Stream, "--from", "2020-01-01T00:00:00Z", "--to", "2020-01-01T00:10:00Z", "-o", temp["y.mp4"])).AssertError(CliErrors.NotFound);
        Assert.Equal(CliErrors.BadInput, (await server.VsAsync("clip", CliServer.Stream, "--from", "soon", "-o", temp["z.mp4"])).ExitCode);
        (await VsRun.RunAsync(["clip", CliServer.Stream, "--from", From, "--to", To, "-o", temp["w.mp4"], "--server", "http://127.0.0.1:1"])).AssertError(CliErrors.Server);
    }

    /// <summary>
    /// Starts a slow download (--limit-rate: the whole would take ~20 s) and sends SIGINT once a quarter of the clip
    /// is on disk. Returns the bytes kept (asserted to be a proper part of the clip).
    /// </summary>
    private async Task<long> InterruptAsync(string path, long size)
    {
        var rate = Math.Max(2048, size / 20).ToString(CultureInfo.InvariantCulture);
        await using var run = VsRun.Start(["clip", CliServer.Stream, "--from", From, "--to", To, "-o", path, "--limit-rate", rate, "--server", server.Url]);
        while (!run.HasExited && (!File.Exists(path) || new FileInfo(path).Length < size / 4))
        {
            await Task.Delay(20);
        }

        if (run.HasExited)
        {
            Assert.Fail("the throttled download ended before it could be interrupted: " + await run.WaitAsync());
        }

        await run.InterruptAsync();
        var result = await run.WaitAsync();
        var line = result.AssertError(CliErrors.Interrupted);
        Assert.Contains("resume", line, StringComparison.Ordinal);
        var kept = new FileInfo(path).Length;
        Assert.InRange(kept, size / 4, size - 1);
        return kept;
    }

    private static async Task<double> ProbeDurationAsync(string path)
    {
        var probe = await ToolRunner.RunAsync("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path]);
        Assert.True(probe.ExitCode == 0 && probe.StdErr.Length == 0, $"ffprobe refused {path}: {probe.StdErr}");
        return double.Parse(probe.StdOut.Trim(), CultureInfo.InvariantCulture);
    }
}
