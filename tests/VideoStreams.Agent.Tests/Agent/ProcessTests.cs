using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using VideoStreams.Server.Tests;
using VideoStreams.TestSupport;

namespace VideoStreams.Agent.Tests.Agent;

/// <summary>
/// vs-agent as a real process (<c>dotnet vs-agent.dll</c>, copied next to the tests by the project reference), with
/// its real sources and uploader: what systemd and the end-to-end tests see.
/// </summary>
public sealed partial class ProcessTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task An_unknown_source_type_is_one_stderr_line_and_exit_code_2_without_a_stack_trace()
    {
        var file = _folder.Device("bad.json", server.BaseUrl, "bad", source: """{ "type": "webcam" }""");

        await using var agent = AgentChild.Start(file);
        var code = await agent.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(2, code);
        Assert.Equal($"vs-agent: {file}: source.type: unknown source type \"webcam\" (expected synthetic, file, camera or url)", Assert.Single(agent.StderrLines));
        Assert.DoesNotContain("   at ", agent.Stdout + agent.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_is_one_stderr_line_and_exit_code_3()
    {
        var file = _folder.Device("cam.json", new Uri("http://127.0.0.1:9/"), "unreachable", startupTimeoutSeconds: 3);

        await using var agent = AgentChild.Start(file);
        var code = await agent.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(code == 3, $"exit code {code}:\n{agent.Stdout}\n{agent.Stderr}");
        Assert.Equal($"vs-agent: {file}: server.url: cannot reach http://127.0.0.1:9/ within 3 s: connection refused", Assert.Single(agent.StderrLines));
    }

    [Fact]
    public async Task SIGTERM_exits_0_and_the_fragment_in_progress_is_in_the_spool_or_on_the_server()
    {
        var stream = "sigterm-" + Guid.NewGuid().ToString("N")[..8];
        var file = _folder.Device("cam.json", server.BaseUrl, stream, source: """{ "type": "synthetic", "width": 320, "height": 240, "frameRate": 15 }""");
        await using var agent = AgentChild.Start(file);
        await agent.WaitForOutputAsync($"Device {stream}: uploading to", TimeSpan.FromSeconds(90));
        // Past the first 1 s fragment, inside a later one.
        await agent.WaitForOutputAsync("PutMedia session 1 started", TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        var code = await agent.TerminateAsync(TimeSpan.FromSeconds(60));

        Assert.True(code == 0, $"exit code {code}:\n{agent.Stdout}\n{agent.Stderr}");
        Assert.Empty(agent.Stderr);
        var flushed = FlushedLine().Match(agent.Stdout);
        Assert.True(flushed.Success, agent.Stdout);
        var sequence = long.Parse(flushed.Groups["seq"].Value, CultureInfo.InvariantCulture);
        var timestampMs = long.Parse(flushed.Groups["ts"].Value, CultureInfo.InvariantCulture);
        var inSpool = SpoolContents.Read(Path.Combine(_folder.Path, "spool", stream)).Any(f => f.SequenceNumber == sequence);
        var onServer = (await ProducerTimestampsAsync(stream)).Contains(timestampMs);
        Assert.True(inSpool || onServer, $"fragment {sequence} ({timestampMs}) is neither in the spool nor on the server:\n{agent.Stdout}");
        Assert.Contains("vs-agent stopped", agent.Stdout, StringComparison.Ordinal);
    }

    private async Task<HashSet<long>> ProducerTimestampsAsync(string stream)
    {
        using var client = server.CreateClient();
        var body = "{\"StreamName\":\"" + stream + "\",\"FragmentSelector\":{\"FragmentSelectorType\":\"PRODUCER_TIMESTAMP\","
            + "\"TimestampRange\":{\"StartTimestamp\":0,\"EndTimestamp\":4102444800}}}";
        using var response = await client.PostAsync("listFragments", new StringContent(body, Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. json.RootElement.GetProperty("Fragments").EnumerateArray()
            .Select(f => (long)Math.Round(f.GetProperty("ProducerTimestamp").GetDouble() * 1000))];
    }

    public void Dispose() => _folder.Dispose();

    [GeneratedRegex(@"fragment in progress spooled: sequence (?<seq>[0-9]+), timestamp (?<ts>[0-9]+)")]
    private static partial Regex FlushedLine();

    /// <summary>One vs-agent child process, its output captured.</summary>
    private sealed class AgentChild : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _stdout = new();
        private readonly StringBuilder _stderr = new();
        private readonly Task _pumps;

        private AgentChild(Process process)
        {
            _process = process;
            _pumps = Task.WhenAll(PumpAsync(process.StandardOutput, _stdout), PumpAsync(process.StandardError, _stderr));
        }

        public string Stdout => Read(_stdout);

        public string Stderr => Read(_stderr);

        public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        public static AgentChild Start(string deviceFile)
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "vs-agent.dll");
            Assert.True(File.Exists(dll), $"vs-agent not found at {dll}");
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = Path.GetDirectoryName(deviceFile)!,
            };
            start.ArgumentList.Add(dll);
            start.ArgumentList.Add(deviceFile);
            return new AgentChild(Process.Start(start) ?? throw new InvalidOperationException("could not start vs-agent"));
        }

        public async Task WaitForOutputAsync(string text, TimeSpan timeout)
        {
            var clock = Stopwatch.StartNew();
            while (!Stdout.Contains(text, StringComparison.Ordinal))
            {
                Assert.False(_process.HasExited, $"vs-agent exited before printing \"{text}\":\n{Stdout}\n{Stderr}");
                Assert.True(clock.Elapsed < timeout, $"vs-agent did not print \"{text}\" within {timeout}:\n{Stdout}\n{Stderr}");
                await Task.Delay(50);
            }
        }

        /// <summary>SIGTERM, as systemd sends it; returns the exit code.</summary>
        public async Task<int> TerminateAsync(TimeSpan timeout)
        {
            (await ToolRunner.RunAsync("kill", "-TERM", _process.Id.ToString(CultureInfo.InvariantCulture))).EnsureSuccess("kill -TERM");
            return await WaitForExitAsync(timeout);
        }

        public async Task<int> WaitForExitAsync(TimeSpan timeout)
        {
            using var wait = new CancellationTokenSource(timeout);
            await _process.WaitForExitAsync(wait.Token);
            await _pumps;
            return _process.ExitCode;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            await _pumps;
            _process.Dispose();
        }

        private static string Read(StringBuilder text)
        {
            lock (text)
            {
                return text.ToString();
            }
        }

        private static async Task PumpAsync(StreamReader reader, StringBuilder into)
        {
            var buffer = new char[4096];
            int read;
            while ((read = await reader.ReadAsync(buffer)) > 0)
            {
                lock (into)
                {
                    into.Append(buffer, 0, read);
                }
            }
        }
    }
}
