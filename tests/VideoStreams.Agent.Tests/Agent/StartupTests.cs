using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using VideoStreams.Producer.Upload;
using VideoStreams.Server.Tests;

namespace VideoStreams.Agent.Tests.Agent;

/// <summary>
/// The start-up check of each device's stream against a real server (in-process Kestrel on 127.0.0.1): created when
/// missing, refused with exit code 3 and one line naming the field when the server cannot be reached or answers 4xx.
/// Sources and uploaders are the in-test ones (see <see cref="FakeSources"/>).
/// </summary>
public sealed class StartupTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task A_missing_stream_is_created_with_24_hours_retention_and_the_start_line_names_source_stream_and_server()
    {
        var stream = "created-" + Guid.NewGuid().ToString("N")[..8];
        var file = _folder.Device("cam.json", server.BaseUrl, stream);
        await using var run = AgentRun.Start(await FakeSources.HooksAsync(), file);

        await run.WaitForOutputAsync($"created stream {stream}");
        await run.WaitForOutputAsync("uploading to");

        Assert.Contains($"Device {stream}: streaming test H.264 320x240@30 (looped) to {stream} at {server.BaseUrl}", run.Stdout, StringComparison.Ordinal);
        using var client = server.CreateClient();
        using var describe = await client.PostAsync("describeStream", Json($$"""{"StreamName":"{{stream}}"}"""));
        Assert.Equal(HttpStatusCode.OK, describe.StatusCode);
        Assert.Contains("\"DataRetentionInHours\":24", await describe.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await run.StopAsync());
        Assert.Empty(run.Stderr);
    }

    [Fact]
    public async Task A_missing_stream_with_create_false_is_exit_code_3_naming_stream_name()
    {
        var stream = "absent-" + Guid.NewGuid().ToString("N")[..8];
        var file = _folder.Device("cam.json", server.BaseUrl, stream, create: false);

        var (code, run) = await AgentRun.RunToEndAsync(await FakeSources.HooksAsync(), file);

        Assert.Equal(3, code);
        Assert.Equal($"vs-agent: {file}: stream.name: stream \"{stream}\" does not exist on {server.BaseUrl} and stream.create is false", Assert.Single(run.StderrLines));
    }

    [Fact]
    public async Task An_unreachable_server_is_exit_code_3_naming_server_url_and_the_cause_and_what_was_captured_stays_spooled()
    {
        var closed = ClosedPort();
        var file = _folder.Device("cam.json", closed, "offline", startupTimeoutSeconds: 3);

        var (code, run) = await AgentRun.RunToEndAsync(await FakeSources.HooksAsync(), file);

        Assert.Equal(3, code);
        var line = Assert.Single(run.StderrLines);
        Assert.Equal($"vs-agent: {file}: server.url: cannot reach {closed} within 3 s: connection refused", line);
        // Capture ran meanwhile: the fragments are in the spool for the next start.
        var spooled = SpoolContents.Read(Path.Combine(_folder.Path, "spool", "offline"));
        Assert.NotEmpty(spooled);
        Assert.Contains("fragment in progress spooled", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_server_option_overrides_the_device_url_and_is_named_when_it_fails()
    {
        var closed = ClosedPort();
        var file = _folder.Device("cam.json", server.BaseUrl, "overridden", startupTimeoutSeconds: 2);

        var (code, run) = await AgentRun.RunToEndAsync(await FakeSources.HooksAsync(), "--server", closed.ToString(), file);

        Assert.Equal(3, code);
        Assert.StartsWith($"vs-agent: {file}: --server: cannot reach {closed}", Assert.Single(run.StderrLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(403, "AccessDeniedException", "server.credentials")]
    [InlineData(401, "NotAuthorizedException", "server.credentials")]
    [InlineData(400, "InvalidArgumentException", "stream.name")]
    [InlineData(404, "", "server.url")]
    public async Task A_4xx_answer_is_exit_code_3_naming_the_field_most_likely_wrong(int status, string errorType, string field)
    {
        await using var refusing = await RefusingServer.StartAsync(status, errorType);
        var file = _folder.Device("cam.json", refusing.BaseUrl, "refused");

        var (code, run) = await AgentRun.RunToEndAsync(await FakeSources.HooksAsync(), file);

        Assert.Equal(3, code);
        var line = Assert.Single(run.StderrLines);
        Assert.StartsWith($"vs-agent: {file}: {field}: ", line, StringComparison.Ordinal);
        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_source_that_cannot_be_opened_at_start_is_exit_code_2_naming_the_source()
    {
        var file = _folder.Device("cam.json", server.BaseUrl, "no-camera", source: """{ "type": "url", "url": "rtsp://127.0.0.1:9/stream1" }""");
        var hooks = await FakeSources.HooksAsync(_ => new BrokenSource("rtsp://127.0.0.1:9/stream1: connection refused"));

        var (code, run) = await AgentRun.RunToEndAsync(hooks, file);

        Assert.Equal(2, code);
        Assert.Equal($"vs-agent: {file}: source.url: the source cannot be opened: rtsp://127.0.0.1:9/stream1: connection refused", Assert.Single(run.StderrLines));
    }

    [Fact]
    public async Task A_source_that_fails_after_it_delivered_is_restarted()
    {
        var units = await FakeSources.AccessUnitsAsync();
        var file = _folder.Device("cam.json", server.BaseUrl, "flaky");
        var starts = 0;
        var hooks = await FakeSources.HooksAsync(_ => Interlocked.Increment(ref starts) == 1 ? new FailingAfter(units, 45) : new LoopingSource(units));
        await using var run = AgentRun.Start(hooks, file);

        await run.WaitForOutputAsync("source failed: camera unplugged; restarting it in");
        await run.WaitForOutputAsync("source started: test H.264");

        Assert.Equal(0, await run.StopAsync());
        Assert.Empty(run.Stderr);
    }

    [Fact]
    public async Task A_spool_held_by_another_agent_is_exit_code_2_naming_spool_path()
    {
        var file = _folder.Device("cam.json", server.BaseUrl, "held");
        var directory = Path.Combine(_folder.Path, "spool", "held");
        using var other = VideoStreams.Producer.Spool.FragmentSpool.Open(new VideoStreams.Producer.Spool.SpoolOptions { Directory = directory, MaxBytes = 64L << 20 });

        var (code, run) = await AgentRun.RunToEndAsync(await FakeSources.HooksAsync(), file);

        Assert.Equal(2, code);
        Assert.StartsWith($"vs-agent: {file}: spool.path: cannot open the spool {directory}: ", Assert.Single(run.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_final_refusal_by_the_uploader_is_exit_code_3()
    {
        var file = _folder.Device("cam.json", server.BaseUrl, "upload-refused");
        var hooks = (await FakeSources.HooksAsync()) with { CreateUploader = (_, _, _, _, _) => new RefusingUploader(404, "ResourceNotFoundException") };

        var (code, run) = await AgentRun.RunToEndAsync(hooks, file);

        Assert.Equal(3, code);
        Assert.StartsWith($"vs-agent: {file}: stream.name: {server.BaseUrl} refused the upload to stream \"upload-refused\": 404 ResourceNotFoundException", Assert.Single(run.StderrLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(24, false)]
    public async Task A_stream_with_retention_0_is_acknowledged_on_RECEIVED(int retention, bool onReceived)
    {
        var stream = $"retention-{retention}-{Guid.NewGuid().ToString("N")[..6]}";
        var file = _folder.Device("cam.json", server.BaseUrl, stream, extra: $"\"count\": 1, \"upload\": {{ \"stallTimeoutSeconds\": 7 }}");
        // The stream exists already with its retention: the agent goes by what the server says, not by the file.
        using (var client = server.CreateClient())
        {
            using var created = await client.PostAsync("createStream", Json($$"""{"StreamName":"{{stream}}","DataRetentionInHours":{{retention}}}"""));
            created.EnsureSuccessStatusCode();
        }

        var seen = new TaskCompletionSource<UploaderOptions>(TaskCreationOptions.RunContinuationsAsynchronously);
        var hooks = (await FakeSources.HooksAsync()) with
        {
            CreateUploader = (options, _, _, _, _) =>
            {
                seen.TrySetResult(options);
                return new IdleUploader();
            },
        };
        await using var run = AgentRun.Start(hooks, file);

        var options = await seen.Task.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(onReceived, options.AcknowledgeOnReceived);
        Assert.Equal(stream, options.StreamName);
        Assert.Equal(server.BaseUrl, options.Endpoint);
        Assert.Equal(TimeSpan.FromSeconds(7), options.StallTimeout);
        Assert.Equal(0, await run.StopAsync());
    }

    [Fact]
    public async Task A_fleet_runs_count_devices_each_with_its_own_stream_and_spool()
    {
        var prefix = "fleet" + Guid.NewGuid().ToString("N")[..6];
        var file = _folder.Device("fleet.json", server.BaseUrl, prefix, extra: "\"count\": 3");
        await using var run = AgentRun.Start(await FakeSources.HooksAsync(), file);

        foreach (var n in new[] { "001", "002", "003" })
        {
            await run.WaitForOutputAsync($"Device {prefix}-{n}: uploading to");
        }

        Assert.Equal(0, await run.StopAsync());
        foreach (var n in new[] { "001", "002", "003" })
        {
            Assert.NotEmpty(SpoolContents.Read(Path.Combine(_folder.Path, "spool", $"{prefix}-{n}")));
            using var client = server.CreateClient();
            using var describe = await client.PostAsync("describeStream", Json($$"""{"StreamName":"{{prefix}}-{{n}}"}"""));
            Assert.Equal(HttpStatusCode.OK, describe.StatusCode);
        }
    }

    private static Uri ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/");
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    public void Dispose() => _folder.Dispose();

    /// <summary>A real Kestrel that answers every KVS call with one error, as a server refusing a device would.</summary>
    private sealed class RefusingServer : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private RefusingServer(WebApplication app) => _app = app;

        public Uri BaseUrl => new(_app.Urls.First() + "/");

        public static async Task<RefusingServer> StartAsync(int status, string errorType)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            app.MapPost("/{operation}", async context =>
            {
                context.Response.StatusCode = status;
                if (errorType.Length > 0)
                {
                    context.Response.Headers["x-amzn-ErrorType"] = errorType;
                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync("{\"Message\":\"refused by the test server\"}");
                }
            });
            await app.StartAsync();
            return new RefusingServer(app);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>Delivers some frames, then fails as an unplugged camera does.</summary>
    private sealed class FailingAfter(IReadOnlyList<byte[]> units, int frames) : VideoStreams.Producer.Sources.IVideoSource
    {
        public string Description => "test H.264, fails after a while";

        public async Task RunAsync(VideoStreams.Producer.Sources.IAccessUnitSink sink, CancellationToken cancellationToken)
        {
            await new LoopingSource(units, frames).RunAsync(sink, cancellationToken);
            throw new VideoStreams.Producer.Sources.VideoSourceException("camera unplugged");
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
