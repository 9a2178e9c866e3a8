namespace VideoStreams.Cli.Tests.Remote;

[Collection(CliServerCollection.Name)]
public sealed class TimelineCommandTests(CliServer server)
{
    [Fact]
    public async Task Extent_gives_the_first_and_last_times_and_the_count()
    {
        var json = (await server.SucceedAsync("extent", CliServer.Stream, "--json")).Json;
        Assert.Equal(CliServer.StartMs, json.GetProperty("startMs").GetInt64());
        Assert.Equal(CliServer.Seconds, json.GetProperty("fragmentCount").GetInt32());
        Assert.True(json.GetProperty("endMs").GetInt64() > CliServer.StartMs + ((CliServer.Seconds - 1) * 1000L));

        var text = (await server.SucceedAsync("extent", CliServer.Stream)).StdOut;
        Assert.Contains("2023-11-14T22:13:20.000Z", text, StringComparison.Ordinal);
        Assert.Contains(CliServer.Seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gaps_are_the_uncovered_spans_before_and_after_the_recording()
    {
        string[] range = ["--from", "2023-11-14T22:13:10Z", "--to", "2023-11-14T22:14:20Z"];
        var json = (await server.SucceedAsync(["gaps", CliServer.Stream, .. range, "--json"])).Json;
        var gaps = json.GetProperty("gaps").EnumerateArray().ToList();
        Assert.Equal(2, gaps.Count);
        Assert.Equal(CliServer.StartMs - 10_000, gaps[0].GetProperty("startMs").GetInt64());
        Assert.Equal(CliServer.StartMs, gaps[0].GetProperty("endMs").GetInt64());

        var text = (await server.SucceedAsync(["gaps", CliServer.Stream, .. range])).StdOut;
        Assert.Contains("2 gaps", text, StringComparison.Ordinal);
        Assert.Contains("2023-11-14T22:13:10.000Z", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extent_of_an_unknown_stream_is_not_found()
    {
        (await server.VsAsync("extent", "no-such-stream")).AssertError(CliErrors.NotFound);
    }
}
