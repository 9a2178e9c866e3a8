using System.Diagnostics;
using System.Net;

namespace VideoStreams.Server.Tests.Ingest;

/// <summary>A server whose per-stream data rate is limited to 1 MB/s.</summary>
public sealed class RateLimitedServerFixture : IAsyncLifetime
{
    public const long BytesPerSecond = 1_000_000;

    internal ServerFixture Server { get; } = new(["--VideoStreams:Ingest:MaxBytesPerSecond", $"{BytesPerSecond}"]);

    public Task InitializeAsync() => Server.InitializeAsync();

    public Task DisposeAsync() => Server.DisposeAsync();
}

/// <summary>The per-stream data-rate limit slows a fast producer down instead of refusing its fragments.</summary>
public sealed class IngestRateLimitTests(RateLimitedServerFixture fixture) : IClassFixture<RateLimitedServerFixture>
{
    [Fact]
    public async Task A_producer_faster_than_the_data_rate_limit_is_slowed_down_and_loses_nothing()
    {
        using var client = fixture.Server.CreateClient();
        var name = KvsHttp.UniqueName("rate");
        await client.CreateStreamAsync(name, retentionHours: 24);
        using var mkv = new ProducerMkv();
        for (var i = 0; i < 20; i++)
        {
            mkv.Cluster(i * 1000L, i, keyframePadding: 200_000);
        }

        var body = mkv.ToArray();
        var clock = Stopwatch.StartNew();
        var answer = await client.PutMediaAsync(name, new MemoryStream(body));
        var elapsed = clock.Elapsed;

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        answer.NoErrors();
        Assert.Equal(20, answer.OfType("PERSISTED").Count());
        // A lower bound only (a slow machine only adds time). Kestrel buffers up to 1 MiB of the body ahead of the
        // reader and the last read is not held back, so those bytes may go through unthrottled.
        var throttled = body.Length - (1 << 20) - (64 << 10);
        var atLeast = TimeSpan.FromSeconds((double)throttled / RateLimitedServerFixture.BytesPerSecond);
        Assert.True(elapsed >= atLeast, $"{body.Length} bytes took {elapsed}; at {RateLimitedServerFixture.BytesPerSecond} B/s they take at least {atLeast}");
    }
}
