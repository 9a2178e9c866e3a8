using System.Net;
using System.Text.Json;

namespace VideoStreams.Server.Tests;

public sealed class HostTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly HttpClient _client = server.CreateClient();

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task Health_answers_ok()
    {
        using var response = await _client.GetAsync("health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Every_answer_carries_a_request_id_and_a_Date_and_errors_carry_their_KVS_name()
    {
        var ok = (await _client.KvsAsync("/listStreams", new { })).Ok();
        var error = await _client.KvsAsync("/describeStream", new { StreamName = "missing" });
        foreach (var response in new[] { ok.Response, error.Response })
        {
            Assert.False(string.IsNullOrEmpty(response.Headers.GetValues("x-amzn-RequestId").Single()));
            Assert.NotNull(response.Headers.Date);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.NotEqual(ok.Response.Headers.GetValues("x-amzn-RequestId").Single(), error.Response.Headers.GetValues("x-amzn-RequestId").Single());
        Assert.Equal("ResourceNotFoundException", error.ErrorType);
        Assert.Equal(["Message"], error.Body.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Our_own_endpoints_answer_unknown_paths_with_ProblemDetails()
    {
        using var response = await _client.GetAsync("no-such-thing");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Metrics_show_requests_errors_and_latency_per_operation_and_the_stores_meter()
    {
        await _client.CreateStreamAsync(KvsHttp.UniqueName(), retentionHours: 1);
        await _client.KvsAsync("/describeStream", new { StreamName = KvsHttp.UniqueName() });

        var text = await _client.GetStringAsync("metrics");
        Assert.Matches("""videostreams_server_requests_total\{[^}]*operation="CreateStream"[^}]*\} [1-9]""", text);
        Assert.Matches("""videostreams_server_errors_total\{[^}]*error="ResourceNotFoundException"[^}]*operation="DescribeStream"[^}]*\} [1-9]""", text);
        Assert.Matches("""videostreams_server_request_duration_seconds_bucket\{[^}]*operation="CreateStream"[^}]*le="\+Inf"\} [1-9]""", text);
        Assert.Contains("# TYPE videostreams_server_request_duration_seconds histogram", text, StringComparison.Ordinal);
    }
}

/// <summary>Stopping the way SIGTERM does and starting again on the same data folder.</summary>
public sealed class RestartTests : IAsyncLifetime
{
    private readonly ServerFixture _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task A_graceful_restart_keeps_every_stream_with_its_metadata_tags_and_version()
    {
        var names = Enumerable.Range(0, 5).Select(i => $"keep-{i}").ToList();
        var before = new Dictionary<string, string>();
        using (var client = _server.CreateClient())
        {
            foreach (var name in names)
            {
                await client.KvsAsync("/createStream", new
                {
                    StreamName = name,
                    DeviceName = "dev",
                    MediaType = "video/h264",
                    DataRetentionInHours = 48,
                    Tags = new Dictionary<string, string> { ["name"] = name },
                });
            }

            var version = (await client.DescribeAsync("keep-0")).GetProperty("Version").GetString();
            (await client.KvsAsync("/updateStream", new { StreamName = "keep-0", CurrentVersion = version, DeviceName = "renamed" })).Ok();
            var arn = (await client.DescribeAsync("keep-4")).GetProperty("StreamARN").GetString();
            (await client.KvsAsync("/deleteStream", new { StreamARN = arn })).Ok();
            names.Remove("keep-4");
            foreach (var name in names)
            {
                before[name] = (await client.DescribeAsync(name)).GetRawText();
            }
        }

        await _server.RestartAsync();

        using var after = _server.CreateClient();
        foreach (var name in names)
        {
            Assert.Equal(before[name], (await after.DescribeAsync(name)).GetRawText());
            var tags = (await after.KvsAsync("/listTagsForStream", new { StreamName = name })).Ok().Body.GetProperty("Tags");
            Assert.Equal(name, tags.GetProperty("name").GetString());
        }

        Assert.Equal("renamed", (await after.DescribeAsync("keep-0")).GetProperty("DeviceName").GetString());
        (await after.KvsAsync("/describeStream", new { StreamName = "keep-4" })).Error(HttpStatusCode.NotFound, "ResourceNotFoundException");
        var listed = (await after.KvsAsync("/listStreams", new { })).Ok().Body.GetProperty("StreamInfoList");
        Assert.Equal(names, listed.EnumerateArray().Select(s => s.GetProperty("StreamName").GetString()));
    }
}

/// <summary>GetDataEndpoint behind a proxy: the configured public URL, not the address the request came to.</summary>
public sealed class PublicUrlTests : IAsyncLifetime
{
    private readonly ServerFixture _server = new(["--VideoStreams:PublicBaseUrl", "https://video.example.com/"]);

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task GetDataEndpoint_answers_the_configured_public_base_URL()
    {
        using var client = _server.CreateClient();
        await client.CreateStreamAsync("behind-proxy");
        var endpoint = (await client.KvsAsync("/getDataEndpoint", new { StreamName = "behind-proxy", APIName = "GET_HLS_STREAMING_SESSION_URL" })).Ok()
            .Body.GetProperty("DataEndpoint").GetString();
        Assert.Equal("https://video.example.com", endpoint);
    }
}

/// <summary>Settings that cannot work stop the server before it listens, with a message naming the setting.</summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("--VideoStreams:Region", "Not A Region", "VideoStreams:Region")]
    [InlineData("--VideoStreams:AccountId", "acct", "VideoStreams:AccountId")]
    [InlineData("--VideoStreams:PublicBaseUrl", "ftp://x", "VideoStreams:PublicBaseUrl")]
    public void A_bad_setting_fails_the_start_naming_it(string key, string value, string mentions)
    {
        var data = Path.Combine(Path.GetTempPath(), "vs-config-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<ServerConfigurationException>(() => ServerApp.Build(["--urls", "http://127.0.0.1:0", "--data", data, key, value]));
        Assert.Contains(mentions, e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(data), "nothing is created before the settings are checked");
    }

    [Fact]
    public void A_malformed_master_key_setting_fails_the_start()
    {
        var data = Path.Combine(Path.GetTempPath(), "vs-config-" + Guid.NewGuid().ToString("N"));
        try
        {
            var e = Assert.Throws<FormatException>(() => ServerApp.Build(["--urls", "http://127.0.0.1:0", "--data", data, "--VideoStreams:MasterKeys:0", "aws/kinesisvideo=disk:/nowhere"]));
            Assert.Contains("file:PATH", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }
}
