using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using VideoStreams.Media.Matroska;
using VideoStreams.Server.Live;
using VideoStreams.Server.Tests.Ingest;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Streams;

namespace VideoStreams.Server.Tests.Live;

/// <summary>
/// The live hub as its readers meet it: the server's own hub, subscribed through its public API, fed by real
/// PutMedia requests over HTTP.
/// </summary>
public sealed partial class LiveHubTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Sample = "live-high-1280x720-30fps-aac.mkv"; // 3 clusters

    private readonly HttpClient _client = server.CreateClient();

    private LiveHub Hub => server.Services.GetRequiredService<LiveHub>();

    private FragmentStore Store => server.Services.GetRequiredService<FragmentStore>();

    private async Task<(string Name, long Id)> StreamAsync(string prefix)
    {
        var name = KvsHttp.UniqueName(prefix);
        await _client.CreateStreamAsync(name, retentionHours: 1);
        return (name, Store.Streams.Describe(StreamRef.ByName(name)).Value!.Id);
    }

    /// <summary>The sample's bytes, where each cluster starts, and every frame's bytes in file order.</summary>
    private static (byte[] Bytes, List<long> Clusters, List<byte[]> Frames) ReadSample()
    {
        var bytes = File.ReadAllBytes(PutMediaClient.Sample(Sample));
        var clusters = new List<long>();
        var frames = new List<byte[]>();
        new MatroskaReader().ReadAll(bytes, (MatroskaReader r, in MatroskaEvent e) =>
        {
            if (e.Kind == MatroskaEventKind.ClusterStart)
            {
                clusters.Add(r.ClusterOffset);
            }
            else if (e.Kind == MatroskaEventKind.Frame)
            {
                frames.Add(e.Frame.Data.ToArray());
            }
        });
        Assert.Equal(3, clusters.Count);
        return (bytes, clusters, frames);
    }

    /// <summary>Reads events until <paramref name="done"/> says so (generous timeout: the machine may be loaded).</summary>
    private static async Task<List<LiveEvent>> ReadUntilAsync(LiveSubscription sub, List<LiveEvent> seen, Func<List<LiveEvent>, bool> done)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!done(seen))
        {
            Assert.True(await sub.Reader.WaitToReadAsync(timeout.Token), "the subscription ended early");
            while (sub.Reader.TryRead(out var ev))
            {
                seen.Add(ev);
            }
        }

        return seen;
    }

    [Fact]
    public async Task Frames_of_a_fragment_reach_subscribers_while_its_cluster_is_still_arriving()
    {
        var (name, id) = await StreamAsync("hub-frames");
        var (bytes, clusters, frames) = ReadSample();
        using var sub = Hub.Subscribe(id);
        var pipe = new Pipe();
        var put = _client.PutMediaAsync(name, pipe.Reader.AsStream());

        // Everything up to the middle of the first cluster: it cannot have ended yet.
        var half = (int)(clusters[0] + ((clusters[1] - clusters[0]) / 2));
        await pipe.Writer.WriteAsync(bytes.AsMemory(0, half));
        var seen = await ReadUntilAsync(sub, [], s => s.Count(e => e.Kind == LiveEventKind.Frame) >= 10);

        Assert.Contains(seen, e => e.Kind == LiveEventKind.FragmentStarted);
        Assert.DoesNotContain(seen, e => e.Kind == LiveEventKind.FragmentReceived);
        var published = seen.Where(e => e.Kind == LiveEventKind.Frame).Select(e => e.Frame!.Data.ToArray()).ToList();
        Assert.Equal(frames.Take(published.Count), published);

        await pipe.Writer.WriteAsync(bytes.AsMemory(half));
        await pipe.Writer.CompleteAsync();
        var answer = await put;
        answer.NoErrors();
        await ReadUntilAsync(sub, seen, s => s.Any(e => e.Kind == LiveEventKind.SessionEnded));
        Assert.Equal(3, seen.Count(e => e.Kind == LiveEventKind.FragmentReceived));
        // Every frame of the upload, byte for byte, in order (small ones share blocks of the hub's frame arena).
        Assert.Equal(frames, seen.Where(e => e.Kind == LiveEventKind.Frame).Select(e => e.Frame!.Data.ToArray()));
    }

    [Fact]
    public async Task Each_fragment_is_published_started_then_its_frames_then_RECEIVED_then_PERSISTED()
    {
        var (name, id) = await StreamAsync("hub-order");
        using var sub = Hub.Subscribe(id);
        await using var file = File.OpenRead(PutMediaClient.Sample(Sample));

        var answer = await _client.PutMediaAsync(name, file);
        answer.NoErrors();
        var seen = await ReadUntilAsync(sub, [], s => s.Any(e => e.Kind == LiveEventKind.SessionEnded));

        var received = seen.Where(e => e.Kind == LiveEventKind.FragmentReceived).Select(e => e.Fragment!.Number).ToList();
        Assert.Equal(answer.OfType("RECEIVED").Select(a => a.GetProperty("FragmentNumber").GetString()), received.Select(FragmentNumber.Format));
        Assert.Equal(received.Order(), seen.Where(e => e.Kind == LiveEventKind.FragmentPersisted).Select(e => e.Fragment!.Number).Order());
        foreach (var number in received)
        {
            var at = seen.FindIndex(e => e.Kind == LiveEventKind.FragmentReceived && e.Fragment!.Number == number);
            var persistedAt = seen.FindIndex(e => e.Kind == LiveEventKind.FragmentPersisted && e.Fragment!.Number == number);
            Assert.True(at < persistedAt, $"fragment {number}: RECEIVED at {at}, PERSISTED at {persistedAt}");
            var startedAt = seen.FindLastIndex(at, e => e.Kind == LiveEventKind.FragmentStarted);
            var frames = seen[(startedAt + 1)..at].Where(e => e.Kind == LiveEventKind.Frame).ToList();
            Assert.NotEmpty(frames);
            Assert.All(frames, f => Assert.Equal(frames[0].Frame!.ClusterTimestamp, f.Frame!.ClusterTimestamp));
            Assert.Equal(seen[at].Fragment!.Media.Length, Store.Index.GetFragment(number)!.Value.Size);
        }

        Assert.Equal(LiveEventKind.SessionStarted, seen[0].Kind);
        Assert.Equal(2, seen[0].Session.Tracks.Count);
    }

    [Fact]
    public async Task A_subscriber_that_never_reads_is_dropped_and_counted_while_ingest_persists_every_fragment()
    {
        var (name, id) = await StreamAsync("hub-slow");
        using var slow = Hub.Subscribe(id, capacity: 4);
        await using var file = File.OpenRead(PutMediaClient.Sample(Sample));

        var answer = await _client.PutMediaAsync(name, file);

        answer.NoErrors();
        Assert.Equal(3, answer.OfType("PERSISTED").Count());
        Assert.Equal(3, Store.Index.ListAfterNumber(id, 0, 100).Fragments.Count);
        Assert.True(slow.Dropped);
        Assert.Equal(0, Hub.SubscriberCount(id));
        // Not a before/after delta: the exporter also sees the meters of other test servers in this process, which come
        // and go as their fixtures end. No other test here drops a subscriber, so a count shows this drop.
        Assert.True(await DroppedTotalAsync() >= 1, "the drop shows in /metrics");
    }

    private async Task<long> DroppedTotalAsync()
    {
        var text = await _client.GetStringAsync("metrics");
        return DroppedMetric().Matches(text).Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();
    }

    [GeneratedRegex(@"^videostreams_live_subscribers_dropped_total(?:\{[^}]*\})? (\d+)", RegexOptions.Multiline)]
    private static partial Regex DroppedMetric();
}
