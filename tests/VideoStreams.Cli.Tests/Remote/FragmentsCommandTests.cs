namespace VideoStreams.Cli.Tests.Remote;

[Collection(CliServerCollection.Name)]
public sealed class FragmentsCommandTests(CliServer server)
{
    private static readonly string From = (CliServer.StartMs / 1000).ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Fragments_are_listed_oldest_first_as_json_on_the_producer_clock()
    {
        var json = (await server.SucceedAsync("fragments", "ls", CliServer.Stream, "--from", From, "--to", "now", "--json")).Json;

        var fragments = json.GetProperty("fragments").EnumerateArray().ToList();
        Assert.Equal(CliServer.Seconds, fragments.Count);
        Assert.Equal("producer", json.GetProperty("clock").GetString());
        var times = fragments.Select(f => f.GetProperty("producerTimestampMs").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(0, CliServer.Seconds).Select(i => CliServer.StartMs + (i * 1000L)), times);
        Assert.All(fragments, f => Assert.True(f.GetProperty("sizeBytes").GetInt64() > 0 && f.GetProperty("durationMs").GetInt64() > 0));
        Assert.Equal("2023-11-14T22:13:20.000Z", fragments[0].GetProperty("producerTimestamp").GetString());
    }

    [Fact]
    public async Task Fragments_are_listed_as_a_table_with_a_total()
    {
        var text = (await server.SucceedAsync("fragments", "ls", CliServer.Stream, "--from", "2023-11-14T22:13:20Z", "--to", "2023-11-14T22:13:29.5Z")).StdOut;

        Assert.Contains("PRODUCER TIME", text, StringComparison.Ordinal);
        Assert.Contains("2023-11-14T22:13:20.000Z", text, StringComparison.Ordinal);
        Assert.Contains("2023-11-14T22:13:29.000Z", text, StringComparison.Ordinal);
        Assert.DoesNotContain("2023-11-14T22:13:30.000Z", text, StringComparison.Ordinal);
        Assert.Contains("10 fragments", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_server_clock_takes_relative_times()
    {
        var json = (await server.SucceedAsync("fragments", "ls", CliServer.Stream, "--from", "-1h", "--clock", "server", "--json")).Json;

        Assert.Equal(CliServer.Seconds, json.GetProperty("fragments").GetArrayLength());
    }

    [Theory]
    [InlineData("yesterday-ish")]
    [InlineData("-15x")]
    [InlineData("2026-13-45T00:00:00Z")]
    public async Task A_time_that_is_not_one_is_a_usage_error_naming_the_option(string time)
    {
        var run = await server.VsAsync("fragments", "ls", CliServer.Stream, "--from", time);

        Assert.Equal(CliErrors.BadInput, run.ExitCode);
        Assert.Contains("--from", run.StdErr, StringComparison.Ordinal);
        Assert.StartsWith("vs: ", run.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_stream_is_not_found()
    {
        (await server.VsAsync("fragments", "ls", "no-such-stream", "--from", "-1h")).AssertError(CliErrors.NotFound);
    }
}
