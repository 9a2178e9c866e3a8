namespace VideoStreams.Cli.Tests.Remote;

/// <summary>Where vs finds the server and credentials, usage errors, and completion: no server needed.</summary>
public sealed class ConnectionTests
{
    [Fact]
    public async Task The_server_comes_from_the_flag_then_the_environment_then_the_profile()
    {
        using var temp = new TempFolder();
        var config = temp["config"];
        await File.WriteAllTextAsync(config, "# vs profiles\n[default]\nurl = http://default-host:5080\nregion = eu-west-1\n\n[profile lab]\nurl = http://lab-host:5080\naws_access_key_id = AKIALAB123\naws_secret_access_key = secret\n");
        var env = new Dictionary<string, string> { ["VIDEOSTREAMS_CONFIG"] = config };

        var fromFile = (await Config(env)).Json;
        Assert.Equal("http://default-host:5080/", fromFile.GetProperty("server").GetString());
        Assert.Equal("eu-west-1", fromFile.GetProperty("region").GetString());

        env["VIDEOSTREAMS_URL"] = "http://env-host:5080";
        env["AWS_ACCESS_KEY_ID"] = "AKIAENV456";
        env["AWS_SECRET_ACCESS_KEY"] = "secret";
        var fromEnv = (await Config(env)).Json;
        Assert.Equal("http://env-host:5080/", fromEnv.GetProperty("server").GetString());
        Assert.Equal("VIDEOSTREAMS_URL", fromEnv.GetProperty("serverFrom").GetString());
        Assert.StartsWith("AKIA", fromEnv.GetProperty("accessKeyId").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("secret", (await Config(env)).StdOut, StringComparison.Ordinal);

        var lab = (await Config(env, "--profile", "lab")).Json;
        Assert.Equal("http://lab-host:5080/", lab.GetProperty("server").GetString());
        Assert.Equal("profile lab", lab.GetProperty("credentialsFrom").GetString());

        var flag = (await Config(env, "--profile", "lab", "--server", "http://flag-host:1")).Json;
        Assert.Equal("http://flag-host:1/", flag.GetProperty("server").GetString());

        var unknown = await VsRun.RunAsync(["config", "--profile", "nope"], env);
        Assert.Contains("no profile 'nope'", unknown.AssertError(CliErrors.BadInput), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_is_exit_5_in_one_line()
    {
        var line = (await VsRun.RunAsync(["streams", "ls", "--server", "http://127.0.0.1:1"])).AssertError(CliErrors.Server);
        Assert.Contains("cannot reach the server at http://127.0.0.1:1/", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_address_that_is_not_a_url_is_a_usage_error()
    {
        (await VsRun.RunAsync(["streams", "ls", "--server", "ftp://x"])).AssertError(CliErrors.BadInput);
    }

    [Theory]
    [InlineData("streams", "describe")]
    [InlineData("clip", "cam", "--from", "-1h")]
    [InlineData("streams", "ls", "--bogus")]
    [InlineData("images", "cam", "--from", "-1m", "-o", "x", "--every", "often")]
    public async Task A_command_line_that_does_not_parse_is_exit_2_with_usage(params string[] arguments)
    {
        var run = await VsRun.RunAsync(arguments);

        Assert.True(run.ExitCode == CliErrors.BadInput, run.ToString());
        Assert.Single(run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("vs: ", run.StdErr, StringComparison.Ordinal);
        Assert.Contains("Usage:", run.StdOut, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("streams", "ls")]
    [InlineData("fragments", "ls")]
    [InlineData("clip")]
    [InlineData("media-tail")]
    [InlineData("images")]
    [InlineData("hls-url")]
    [InlineData("extent")]
    [InlineData("gaps")]
    [InlineData("media", "probe")]
    public async Task Every_command_has_help_with_examples(params string[] command)
    {
        var run = await VsRun.RunAsync([.. command, "--help"]);

        run.AssertSuccess();
        Assert.Contains("Examples:\n  vs ", run.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Completion_comes_from_vs_itself()
    {
        var script = await VsRun.RunAsync(["completion", "bash"]);
        script.AssertSuccess();
        Assert.Contains("complete -o default -F _vs_complete vs", script.StdOut, StringComparison.Ordinal);

        var suggestions = await VsRun.RunAsync(["[suggest:8]", "streams "]);
        var words = suggestions.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("retention", words);
        Assert.Contains("ls", words);
    }

    private static Task<VsRun.Result> Config(Dictionary<string, string> env, params string[] arguments) =>
        VsRun.RunAsync(["config", "--json", .. arguments], env);
}
