using System.Globalization;

namespace VideoStreams.Server.Tests.Ingest;

/// <summary>What an operator sees at GET /metrics (Prometheus) after an ingest.</summary>
public sealed class IngestMetricsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    /// <summary>The sum of the samples of <paramref name="metric"/> whose labels include all of <paramref name="labels"/>.</summary>
    private static double Sample(string scrape, string metric, params string[] labels) => scrape.Split('\n')
        .Where(l => l.StartsWith(metric + "{", StringComparison.Ordinal) && labels.All(label => l.Contains(label, StringComparison.Ordinal)))
        .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    [Fact]
    public async Task After_an_ingest_metrics_show_bytes_in_acks_by_type_and_error_id_and_persist_latency()
    {
        using var client = server.CreateClient();
        var name = KvsHttp.UniqueName("metrics");
        await client.CreateStreamAsync(name, retentionHours: 24);
        using var mkv = new ProducerMkv();
        mkv.Cluster(0, 0).Tags(("AWS_RESERVED", "x")).Cluster(1000, 1).Cluster(2000, 2);
        var body = mkv.ToArray();
        var latenciesBefore = Sample(await client.GetStringAsync("metrics"), "videostreams_ingest_persist_latency_seconds_count");

        var answer = await client.PutMediaAsync(name, new MemoryStream(body));
        Assert.Equal([4009], answer.ErrorIds);

        var scrape = await client.GetStringAsync("metrics");
        var stream = $"stream=\"{name}\"";
        Assert.Equal(body.Length, Sample(scrape, "videostreams_ingest_bytes_total", stream));
        Assert.Equal(3, Sample(scrape, "videostreams_ingest_fragments_total", stream, "type=\"BUFFERING\""));
        Assert.Equal(2, Sample(scrape, "videostreams_ingest_fragments_total", stream, "type=\"RECEIVED\""));
        Assert.Equal(2, Sample(scrape, "videostreams_ingest_fragments_total", stream, "type=\"PERSISTED\""));
        Assert.Equal(1, Sample(scrape, "videostreams_ingest_fragments_total", stream, "type=\"ERROR\"", "error_id=\"4009\""));
        Assert.True(Sample(scrape, "videostreams_ingest_persist_latency_seconds_count") >= latenciesBefore + 2, scrape);
        Assert.Contains("videostreams_ingest_persist_latency_seconds_bucket{", scrape, StringComparison.Ordinal);
    }
}
