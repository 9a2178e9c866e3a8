using Microsoft.Extensions.DependencyInjection;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Streams;

namespace VideoStreams.Server.Tests.Ingest;

/// <summary>
/// A server stopping gracefully (SIGTERM, a deploy) ends live PutMedia sessions itself: every fragment it received
/// gets its PERSISTED and the response ends cleanly, instead of the camera holding the shutdown until the host's
/// timeout and then losing its last acks to a reset.
/// </summary>
public sealed class GracefulStopTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly ServerFixture _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task Stopping_the_server_ends_a_live_PutMedia_with_every_received_fragment_persisted()
    {
        using (var client = _server.CreateClient())
        {
            await client.CreateStreamAsync("graceful-stop");
        }

        const int Sent = 4;
        await using var camera = await RawPutMedia.StartAsync(_server.BaseUrl, "graceful-stop");
        // Sent + 1 clusters: a cluster of unknown size is complete only when the next one starts.
        await camera.WriteAsync(ProducerMkv.Clusters(Sent + 1));
        for (var i = 0; i < Sent; i++)
        {
            await camera.WaitForAsync("RECEIVED", Patience);
        }

        // The camera keeps its body open: only the server can end this session.
        var stopping = _server.StopAsync();
        while (await camera.NextAckAsync(Patience) is not null)
        {
        }

        await stopping.WaitAsync(Patience);
        var acks = camera.Seen;
        Assert.DoesNotContain(acks, a => a.GetProperty("EventType").GetString() == "ERROR");
        var persisted = acks.Where(a => a.GetProperty("EventType").GetString() == "PERSISTED")
            .Select(a => a.GetProperty("FragmentTimecode").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(0, Sent).Select(i => i * 1000L), persisted.Take(Sent));

        await _server.StartAsync();
        var store = _server.Services.GetRequiredService<FragmentStore>();
        var id = store.Streams.Describe(StreamRef.ByName("graceful-stop")).Value!.Id;
        var stored = store.Index.ListByTime(id, TimestampKind.Producer, 0, long.MaxValue, 100).Fragments;
        Assert.Equal(persisted.Select(t => PutMediaClient.StartMs + t), stored.Select(f => f.ProducerTimestampMs));
    }
}
