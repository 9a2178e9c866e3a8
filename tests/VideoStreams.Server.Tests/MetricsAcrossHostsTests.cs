using System.Globalization;
using VideoStreams.Server.Tests.Ingest;

namespace VideoStreams.Server.Tests;

/// <summary>
/// Two servers in one process (the test host, or an application embedding the server): when one stops, the other's
/// /metrics keeps counting. OpenTelemetry stops every same-named meter of the process when one is disposed
/// (opentelemetry-dotnet#6412); the server's meters are therefore one per name for the process, never disposed.
/// </summary>
public sealed class MetricsAcrossHostsTests
{
    private static double Sample(string scrape, string metric, params string[] labels) => scrape.Split('\n')
        .Where(l => (l.StartsWith(metric + "{", StringComparison.Ordinal) || l.StartsWith(metric + " ", StringComparison.Ordinal))
            && labels.All(label => l.Contains(label, StringComparison.Ordinal)))
        .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    [Fact]
    public async Task A_server_keeps_its_metrics_when_another_server_in_the_process_stops()
    {
        var stopping = new ServerFixture();
        await using var _ = new AsyncDisposer(stopping);
        await using var staying = new AsyncDisposer(new ServerFixture());
        await stopping.InitializeAsync();
        await staying.Server.InitializeAsync();
        using (var early = stopping.CreateClient())
        {
            await early.CreateStreamAsync(KvsHttp.UniqueName("stopping"), retentionHours: 1);
        }

        await stopping.DisposeAsync();

        using var client = staying.Server.CreateClient();
        var name = KvsHttp.UniqueName("staying");
        await client.CreateStreamAsync(name, retentionHours: 24);
        var persistedBefore = Sample(await client.GetStringAsync("metrics"), "videostreams_storage_fragments_persisted_total");
        using var mkv = new ProducerMkv();
        mkv.Cluster(0, 0).Cluster(1000, 1);
        var body = mkv.ToArray();
        var answer = await client.PutMediaAsync(name, new MemoryStream(body));
        Assert.Empty(answer.ErrorIds);

        var scrape = await client.GetStringAsync("metrics");
        Assert.Equal(body.Length, Sample(scrape, "videostreams_ingest_bytes_total", $"stream=\"{name}\""));
        Assert.Matches("""videostreams_server_requests_total\{[^}]*operation="CreateStream"[^}]*\} [1-9]""", scrape);
        Assert.True(Sample(scrape, "videostreams_storage_fragments_persisted_total") >= persistedBefore + 2, scrape);
    }

    private sealed class AsyncDisposer(ServerFixture server) : IAsyncDisposable
    {
        public ServerFixture Server { get; } = server;

        public async ValueTask DisposeAsync() => await Server.DisposeAsync();
    }
}
