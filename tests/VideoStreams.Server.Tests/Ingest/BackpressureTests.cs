using Microsoft.Extensions.DependencyInjection;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Streams;

namespace VideoStreams.Server.Tests.Ingest;

/// <summary>A server whose disk can be stalled, with a small number of fragments allowed in flight.</summary>
public sealed class StalledDiskFixture : IAsyncLifetime
{
    public const int MaxFragmentsInFlight = 4;

    private StalledDisk? _disk;

    internal StalledDisk Disk => _disk ?? throw new InvalidOperationException("The server is not running.");

    internal ServerFixture Server { get; }

    public StalledDiskFixture() => Server = new(
        ["--VideoStreams:Ingest:MaxFragmentsInFlight", $"{MaxFragmentsInFlight}"],
        root => _disk = new StalledDisk(root));

    public Task InitializeAsync() => Server.InitializeAsync();

    public async Task DisposeAsync()
    {
        _disk?.Resume();
        await Server.DisposeAsync();
    }
}

/// <summary>
/// Backpressure: when the store cannot keep up, ingest stops reading the PutMedia body (TCP slows the camera) instead
/// of buffering without bound or dropping fragments; once the disk catches up, everything sent is persisted.
/// </summary>
public sealed class BackpressureTests(StalledDiskFixture fixture) : IClassFixture<StalledDiskFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_stalled_disk_stops_ingest_reading_the_body_and_nothing_is_dropped_when_it_catches_up()
    {
        using var client = fixture.Server.CreateClient();
        var name = KvsHttp.UniqueName("backpressure");
        await client.CreateStreamAsync(name);
        const int Clusters = 120;
        byte[] body;
        int warmUp;
        using (var mkv = new ProducerMkv())
        {
            for (var i = 0; i < Clusters; i++)
            {
                // ~100 KB a fragment: far more than Kestrel and the socket buffer hold between them.
                mkv.Cluster(i * 1000L, i, keyframePadding: 100_000);
            }

            body = mkv.ToArray();
            warmUp = mkv.ClusterStarts[2];
        }

        var resumed = false;
        try
        {
            await using var camera = await RawPutMedia.StartAsync(fixture.Server.BaseUrl, name);

            // Two fragments go through first, so the stream's log file exists before the disk stalls (creating one
            // syncs a directory: with a stalled disk, that append itself would wait).
            await camera.WriteAsync(body.AsMemory(0, warmUp));
            await camera.WaitForAsync("PERSISTED", Patience);
            await camera.WaitForAsync("PERSISTED", Patience);
            fixture.Disk.Stall();
            var sending = Task.Run(async () =>
            {
                for (var offset = warmUp; offset < body.Length; offset += 16 * 1024)
                {
                    await camera.WriteAsync(body.AsMemory(offset, Math.Min(16 * 1024, body.Length - offset)));
                }
            });

            // Wait until the server has taken what it will take while nothing becomes durable: the RECEIVED acks stop.
            var received = await SettledCountAsync(camera, "RECEIVED") - 2;
            Assert.InRange(received, StalledDiskFixture.MaxFragmentsInFlight, Clusters - 20);
            Assert.Equal(2, camera.Seen.Count(a => Type(a) == "PERSISTED"));
            Assert.DoesNotContain(camera.Seen, a => Type(a) == "ERROR");
            Assert.False(sending.IsCompleted, "the camera could send its whole body while the disk was stalled");

            fixture.Disk.Resume();
            resumed = true;
            await sending.WaitAsync(Patience);
            await camera.EndBodyAsync();
            var answer = await camera.FinishAsync(Patience);

            answer.NoErrors();
            Assert.Equal(Clusters, answer.OfType("PERSISTED").Count());
            var store = fixture.Server.Services.GetRequiredService<FragmentStore>();
            var id = store.Streams.Describe(StreamRef.ByName(name)).Value!.Id;
            var stored = store.Index.ListByTime(id, TimestampKind.Producer, 0, long.MaxValue, 1000).Fragments;
            Assert.Equal(
                Enumerable.Range(0, Clusters).Select(i => PutMediaClient.StartMs + (i * 1000L)),
                stored.Select(f => f.ProducerTimestampMs));
        }
        finally
        {
            if (!resumed)
            {
                fixture.Disk.Resume();
            }
        }
    }

    private static string? Type(System.Text.Json.JsonElement ack) => ack.GetProperty("EventType").GetString();

    /// <summary>The count of acks of a type once it has not changed for two seconds (at least one must come).</summary>
    private static async Task<int> SettledCountAsync(LivePutMedia camera, string type)
    {
        var deadline = DateTime.UtcNow + Patience;
        var last = -1;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            camera.TakeArrived();
            var now = camera.Seen.Count(a => Type(a) == type);
            if (now > 0 && now == last)
            {
                return now;
            }

            last = now;
        }

        throw new TimeoutException($"{type} acks did not settle in {Patience} (last count {last}): " + string.Join(" ", camera.Seen.Select(a => Type(a))));
    }
}
