using System.Globalization;
using System.Text;

namespace VideoStreams.Cli.Tests.Remote;

[Collection(CliServerCollection.Name)]
public sealed class LiveAndImagesTests(CliServer server)
{
    [Fact]
    public async Task Media_tail_writes_getmedia_to_a_file_until_ctrl_c_and_exits_cleanly()
    {
        using var temp = new TempFolder();
        var path = temp["tail.mkv"];
        await using var run = VsRun.Start(["media-tail", CliServer.Stream, "-o", path, "--server", server.Url]);
        // NOW gives the newest stored fragment at once, then waits at the live edge for more.
        while (!run.HasExited && (!File.Exists(path) || !Encoding.ASCII.GetString(await File.ReadAllBytesAsync(path)).Contains("AWS_KINESISVIDEO_CONTINUATION_TOKEN", StringComparison.Ordinal)))
        {
            await Task.Delay(50);
        }

        if (run.HasExited)
        {
            Assert.Fail("media-tail ended by itself: " + await run.WaitAsync());
        }

        await run.InterruptAsync();
        var result = await run.WaitAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        var bytes = await File.ReadAllBytesAsync(path);
        Assert.Equal([0x1A, 0x45, 0xDF, 0xA3], bytes[..4]);
        Assert.Contains("AWS_KINESISVIDEO_FRAGMENT_NUMBER", Encoding.ASCII.GetString(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Media_tail_of_an_unknown_stream_is_not_found()
    {
        using var temp = new TempFolder();
        (await server.VsAsync("media-tail", "no-such-stream", "-o", temp["x.mkv"])).AssertError(CliErrors.NotFound);
    }

    [Fact]
    public async Task Images_are_written_one_file_per_sample_and_missing_ones_reported()
    {
        using var temp = new TempFolder();
        var start = (CliServer.StartMs / 1000) + CliServer.Seconds - 10;
        string[] range = ["--from", start.ToString(CultureInfo.InvariantCulture), "--to", (start + 20).ToString(CultureInfo.InvariantCulture), "--every", "5s"];

        var json = (await server.SucceedAsync(["images", CliServer.Stream, .. range, "-o", temp["json"], "--json"])).Json;

        var images = json.GetProperty("images").EnumerateArray().ToList();
        Assert.Equal(5, images.Count);
        var written = images.Where(i => i.GetProperty("file").GetString() is not null).ToList();
        var missing = images.Where(i => i.GetProperty("error").GetString() is not null).ToList();
        Assert.Equal(2, written.Count);
        Assert.Equal(3, missing.Count);
        Assert.All(missing, m => Assert.Equal("NO_MEDIA", m.GetProperty("error").GetString()));
        Assert.Equal(written.Count, json.GetProperty("written").GetInt32());
        foreach (var image in written)
        {
            var bytes = await File.ReadAllBytesAsync(image.GetProperty("file").GetString()!);
            Assert.Equal([0xFF, 0xD8], bytes[..2]);
        }

        var text = (await server.SucceedAsync(["images", CliServer.Stream, .. range, "-o", temp["human"], "--format", "png"])).StdOut;
        Assert.Contains("2 images written", text, StringComparison.Ordinal);
        Assert.Contains("3 missing", text, StringComparison.Ordinal);
        Assert.Contains("NO_MEDIA", text, StringComparison.Ordinal);
        Assert.Equal(2, Directory.GetFiles(temp["human"], "*.png").Length);
    }

    [Fact]
    public async Task An_hls_url_is_printed_and_plays()
    {
        var from = (CliServer.StartMs / 1000).ToString(CultureInfo.InvariantCulture);
        var to = ((CliServer.StartMs / 1000) + CliServer.Seconds).ToString(CultureInfo.InvariantCulture);
        string[] vod = ["hls-url", CliServer.Stream, "--mode", "vod", "--from", from, "--to", to, "--clock", "producer"];

        var url = (await server.SucceedAsync(vod)).StdOut.Trim();
        var json = (await server.SucceedAsync([.. vod, "--json"])).Json;

        Assert.Contains("getHLSMasterPlaylist.m3u8?SessionToken=", url, StringComparison.Ordinal);
        Assert.Equal("vod", json.GetProperty("mode").GetString());
        Assert.Contains("getHLSMasterPlaylist.m3u8", json.GetProperty("url").GetString(), StringComparison.Ordinal);
        using var http = new HttpClient();
        Assert.StartsWith("#EXTM3U", await http.GetStringAsync(url), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_hls_url_with_a_mode_missing_its_range_is_a_usage_error()
    {
        var run = await server.VsAsync("hls-url", CliServer.Stream, "--mode", "vod");

        Assert.Equal(CliErrors.BadInput, run.ExitCode);
        Assert.Contains("--from", run.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_refusal_of_an_hls_session_shows_its_reason()
    {
        // The server refuses (no such stream): its error name and message, in one line.
        var line = (await server.VsAsync("hls-url", "no-such-stream")).AssertError(CliErrors.NotFound);
        Assert.Contains("ResourceNotFoundException", line, StringComparison.Ordinal);
    }
}
