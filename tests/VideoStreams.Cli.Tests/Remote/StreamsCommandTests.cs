namespace VideoStreams.Cli.Tests.Remote;

[Collection(CliServerCollection.Name)]
public sealed class StreamsCommandTests(CliServer server)
{
    [Fact]
    public async Task A_stream_goes_through_its_life_with_the_streams_commands()
    {
        var name = "life-" + Guid.NewGuid().ToString("N")[..8];

        var created = (await server.SucceedAsync("streams", "create", name, "--retention-hours", "2", "--tag", "site=hq", "--json")).Json;
        Assert.Equal(name, created.GetProperty("name").GetString());
        Assert.Contains($"stream/{name}/", created.GetProperty("arn").GetString(), StringComparison.Ordinal);

        var table = (await server.SucceedAsync("streams", "ls")).StdOut;
        Assert.Contains(name, table, StringComparison.Ordinal);
        Assert.Contains("2 h", table, StringComparison.Ordinal);
        var listed = (await server.SucceedAsync("streams", "ls", "--prefix", "life-", "--json")).Json.GetProperty("streams").EnumerateArray().ToList();
        Assert.Contains(listed, s => s.GetProperty("name").GetString() == name && s.GetProperty("status").GetString() == "ACTIVE");
        Assert.All(listed, s => Assert.StartsWith("life-", s.GetProperty("name").GetString(), StringComparison.Ordinal));

        var described = (await server.SucceedAsync("streams", "describe", name)).StdOut;
        Assert.Contains("site=hq", described, StringComparison.Ordinal);
        Assert.Contains("ACTIVE", described, StringComparison.Ordinal);

        var updated = (await server.SucceedAsync("streams", "update", name, "--media-type", "video/h264", "--device", "cam-7", "--json")).Json;
        Assert.Equal("video/h264", updated.GetProperty("mediaType").GetString());
        Assert.Equal("cam-7", updated.GetProperty("deviceName").GetString());

        Assert.Equal(5, (await server.SucceedAsync("streams", "retention", name, "--hours", "5", "--json")).Json.GetProperty("retentionHours").GetInt32());
        Assert.Contains("1 h", (await server.SucceedAsync("streams", "retention", name, "--hours", "1")).StdOut, StringComparison.Ordinal);

        var tags = (await server.SucceedAsync("streams", "tag", name, "floor=2", "--remove", "site", "--json")).Json.GetProperty("tags");
        Assert.Equal("2", tags.GetProperty("floor").GetString());
        Assert.False(tags.TryGetProperty("site", out _));
        Assert.Contains("floor", (await server.SucceedAsync("streams", "tag", name)).StdOut, StringComparison.Ordinal);

        Assert.Contains($"deleted {name}", (await server.SucceedAsync("streams", "rm", name)).StdOut, StringComparison.Ordinal);
        var gone = (await server.VsAsync("streams", "describe", name)).AssertError(CliErrors.NotFound);
        Assert.Contains("ResourceNotFoundException", gone, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Creating_a_stream_that_exists_fails_with_the_servers_reason()
    {
        var line = (await server.VsAsync("streams", "create", CliServer.Stream)).AssertError(CliErrors.Failure);
        Assert.Contains("ResourceInUseException", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_a_stream_that_does_not_exist_is_not_found()
    {
        var json = await server.VsAsync("streams", "rm", "no-such-stream", "--json");
        json.AssertError(CliErrors.NotFound);
        Assert.Empty(json.StdOutBytes);
    }
}
