using System.Text.RegularExpressions;
using VideoStreams.Server.Tests;

namespace VideoStreams.Agent.Tests.Agent;

/// <summary><c>--metrics-urls</c>: a Prometheus endpoint with the library's and the agent's metrics.</summary>
public sealed partial class MetricsEndpointTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task Metrics_serves_the_producer_library_and_agent_meters()
    {
        var file = _folder.Device("cam.json", server.BaseUrl, "metered");
        await using var run = AgentRun.Start(await FakeSources.HooksAsync(), "--metrics-urls", "http://127.0.0.1:0/metrics", file);
        await run.WaitForOutputAsync("Device metered: uploading to");
        var url = MetricsLine().Match(run.Stdout) is { Success: true } m ? new Uri(m.Groups["url"].Value) : throw new InvalidOperationException(run.Stdout);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        // Wait for the first fragment to be cut and spooled, then read the page.
        string page;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        do
        {
            await Task.Delay(200);
            page = await client.GetStringAsync(url);
        }
        while (!page.Contains("videostreams_producer_spool_appended_fragments", StringComparison.Ordinal) && DateTime.UtcNow < deadline);

        foreach (var name in new[]
        {
            "videostreams_agent_devices_running",
            "videostreams_agent_access_units_total",
            "videostreams_producer_fragments_total",
            "videostreams_producer_spool_appended_fragments_total",
            "videostreams_producer_spool_pending_fragments",
            "videostreams_producer_spool_oldest_pending_age",
        })
        {
            Assert.Contains(name, page, StringComparison.Ordinal);
        }

        Assert.Matches(@"videostreams_agent_devices_running\S* 1", page);
        Assert.Contains("videostreams_agent_device=\"metered\"", page, StringComparison.Ordinal);
        Assert.Equal(0, await run.StopAsync());
    }

    [Fact]
    public async Task A_bad_metrics_url_is_a_configuration_error()
    {
        var file = _folder.Device("cam.json", server.BaseUrl, "metered-bad");

        var (code, run) = await AgentRun.RunToEndAsync(await FakeSources.HooksAsync(), "--metrics-urls", "ftp://127.0.0.1:1/metrics", file);

        Assert.Equal(2, code);
        Assert.StartsWith("vs-agent: --metrics-urls: ", Assert.Single(run.StderrLines), StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();

    [GeneratedRegex(@"Metrics on (?<url>http://127\.0\.0\.1:[0-9]+/metrics)")]
    private static partial Regex MetricsLine();
}
