namespace VideoStreams.Agent.Tests.Agent;

/// <summary>
/// Bad device definitions: exactly one line on stderr, <c>vs-agent: FILE: FIELD: message</c>, and exit code 2 — before
/// anything is captured or sent (the server URL points at a closed port; it is never contacted).
/// </summary>
public sealed class ConfigurationErrorTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public static TheoryData<string, string, string, string> Cases() => new()
    {
        // name, the device JSON (SERVER is replaced), the field named, a part of the message
        { "unknown source type", Json(source: """{ "type": "foo" }"""), "source.type", "unknown source type \"foo\" (expected synthetic, file, camera or url)" },
        { "missing camera device", Json(source: """{ "type": "camera", "path": "/dev/video9" }"""), "source.path", "no camera at /dev/video9" },
        { "camera index without a device", Json(source: """{ "type": "camera", "path": "9" }"""), "source.path", "no camera at /dev/video9" },
        { "missing file", Json(source: """{ "type": "file", "path": "no-such.mkv" }"""), "source.path", "no such file" },
        { "file without a path", Json(source: """{ "type": "file" }"""), "source.path", "missing" },
        { "bad source URL", Json(source: """{ "type": "url", "url": "camera.local/stream1" }"""), "source.url", "is not an rtsp://, http:// or https:// URL" },
        { "bad server URL", Json(server: "ftp://127.0.0.1:5080"), "server.url", "\"ftp://127.0.0.1:5080\" is not an http:// or https:// URL" },
        { "fragment too short", Json(extra: "\"fragmentDurationMs\": 500"), "fragmentDurationMs", "500 is out of range (1000 to 10000 ms" },
        { "fragment too long", Json(extra: "\"fragmentDurationMs\": 20000"), "fragmentDurationMs", "20000 is out of range" },
        { "negative spool size", Json(extra: "\"spool\": { \"maxBytes\": -1 }"), "spool.maxBytes", "-1 is too small" },
        { "negative width", Json(source: """{ "type": "synthetic", "width": -640 }"""), "source.width", "-640 is out of range" },
        { "retention too long", Json(stream: """{ "name": "cam", "retentionHours": 90000 }"""), "stream.retentionHours", "90000 is out of range (0 to 87600 hours" },
        { "negative retention", Json(stream: """{ "name": "cam", "retentionHours": -1 }"""), "stream.retentionHours", "-1 is out of range" },
        { "missing stream name", Json(stream: """{ "create": true }"""), "stream.name", "missing" },
        { "invalid stream name", Json(stream: """{ "name": "front door!" }"""), "stream.name", "\"front door!\" is not a valid stream name" },
        { "unknown field", Json(extra: "\"fragmentDuration\": 2000"), "fragmentDuration", "unknown field" },
        { "unknown nested field", Json(source: """{ "type": "synthetic", "fps": 30 }"""), "source.fps", "unknown field" },
        { "wrong type", Json(source: """{ "type": "synthetic", "width": "wide" }"""), "source.width", "wrong type: expected a whole number" },
        { "framesAsCaptured not a boolean", Json(extra: "\"upload\": { \"framesAsCaptured\": \"yes\" }"), "upload.framesAsCaptured", "wrong type: expected true or false" },
        { "unknown sync mode", Json(extra: "\"spool\": { \"sync\": \"always\" }"), "spool.sync", "unknown sync mode \"always\"" },
        { "unset credentials", Json(server: "http://127.0.0.1:9", credentials: "\"env:VS_AGENT_TEST_UNSET\""), "server.credentials", "VS_AGENT_TEST_UNSET_ACCESS_KEY_ID and VS_AGENT_TEST_UNSET_SECRET_ACCESS_KEY must both be set" },
        { "fleet too large", Json(extra: "\"count\": 5000"), "count", "5000 is out of range" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_bad_device_file_gives_one_line_naming_the_file_and_field_and_exit_code_2(string name, string json, string field, string message)
    {
        var file = _folder.Write(name.Replace(' ', '-') + ".json", json);

        var (code, run) = await AgentRun.RunToEndAsync(null, file);

        Assert.Equal(2, code);
        var line = Assert.Single(run.StderrLines);
        Assert.StartsWith($"vs-agent: {file}: {field}: ", line, StringComparison.Ordinal);
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.DoesNotContain(" at VideoStreams.", run.Stderr + run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_json_is_named_with_its_line_and_column()
    {
        var file = _folder.Write("broken.json", "{\n  \"name\": \"cam\",\n  \"stream\": { \"name\": \"cam\" }\n  \"source\": { \"type\": \"synthetic\" }\n}\n");

        var (code, run) = await AgentRun.RunToEndAsync(null, file);

        Assert.Equal(2, code);
        var line = Assert.Single(run.StderrLines);
        Assert.StartsWith($"vs-agent: {file}: ", line, StringComparison.Ordinal);
        Assert.Contains("malformed JSON", line, StringComparison.Ordinal);
        Assert.Contains("(line 4, column 3)", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Comments_and_trailing_commas_are_allowed()
    {
        var file = _folder.Write("ok.json", """
            // a comment
            {
              "name": "cam", /* another */
              "stream": { "name": "cam", },
              "server": { "url": "http://127.0.0.1:9", },
              "source": { "type": "synthetic", },
            }
            """);

        var devices = VideoStreams.Agent.Configuration.DeviceLoader.Load([file], null);

        var device = Assert.Single(devices);
        Assert.Equal("cam", device.StreamName);
        Assert.Equal(24, device.RetentionHours);
        Assert.Equal(Path.Combine(_folder.Path, "spool", "cam"), device.Spool.Directory);
    }

    [Fact]
    public async Task A_missing_device_file_and_a_bad_option_are_one_line_too()
    {
        var missing = Path.Combine(_folder.Path, "nope.json");
        var (code, run) = await AgentRun.RunToEndAsync(null, missing);
        Assert.Equal(2, code);
        Assert.Equal($"vs-agent: {missing}: no such device file or folder", Assert.Single(run.StderrLines));

        (code, run) = await AgentRun.RunToEndAsync(null, "--server", "not a url", _folder.Write("ok.json", Json()));
        Assert.Equal(2, code);
        Assert.StartsWith("vs-agent: --server: ", Assert.Single(run.StderrLines), StringComparison.Ordinal);

        (code, run) = await AgentRun.RunToEndAsync(null, "--log-level", "loud", _folder.Write("ok.json", Json()));
        Assert.Equal(2, code);
        Assert.Single(run.StderrLines);
    }

    private static string Json(string? source = null, string? server = null, string? stream = null, string? extra = null, string credentials = "null") => $$"""
        {
          "name": "cam",
          "stream": {{stream ?? """{ "name": "cam" }"""}},
          "server": { "url": "{{server ?? "http://127.0.0.1:9"}}", "credentials": {{credentials}}, "startupTimeoutSeconds": 1 },
          "source": {{source ?? """{ "type": "synthetic" }"""}}{{(extra is null ? "" : ",\n  " + extra)}}
        }
        """;

    public void Dispose() => _folder.Dispose();
}
