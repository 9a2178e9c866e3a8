using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using VideoStreams.Agent.Tests.Upload;
using VideoStreams.Server.Live;
using VideoStreams.Server.Tests;
using VideoStreams.Storage;
using VideoStreams.Storage.Streams;
using Xunit.Abstractions;

namespace VideoStreams.Agent.Tests.EndToEnd;

/// <summary>
/// The low-latency camera end to end: vs-agent as a real process (640x360 at 30 fps, libx264 zerolatency, a key frame
/// and a fragment every second), with frames as captured and without, into the server in-process so the test reads
/// its live hub. Each Frame event is compared with the frame's capture time (the synthetic source stamps frames with
/// the wall clock it burns into them): capture-to-hub latency, printed as p50/p95. Nothing is asserted about the
/// figures (a loaded machine decides them); what is asserted is that the stream works with 1 s fragments and GOPs.
/// <c>VS_LATENCY_SECONDS</c> sets how long each run records (default 6; 30 for the figures in docs/PERFORMANCE.md).
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection("EndToEnd")]
public sealed class CaptureToHubLatencyTests(ServerFixture server, ITestOutputHelper output) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task A_camera_with_1_s_fragments_and_1_s_GOPs_streams_with_and_without_frames_as_captured_and_the_latency_is_printed()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("VS_LATENCY_SECONDS"), CultureInfo.InvariantCulture, out var s) ? s : 6;
        var on = await RunAsync(framesAsCaptured: true, seconds);
        var off = await RunAsync(framesAsCaptured: false, seconds);
        output.WriteLine($"capture-to-hub latency over {seconds} s (load: {File.ReadAllText("/proc/loadavg").Trim()}):");
        output.WriteLine($"  framesAsCaptured true : {on}");
        output.WriteLine($"  framesAsCaptured false: {off}");
    }

    private async Task<string> RunAsync(bool framesAsCaptured, int seconds)
    {
        var name = await UploadTestKit.CreateStreamAsync(server.BaseUrl, retentionHours: 1);
        var id = server.Services.GetRequiredService<FragmentStore>().Streams.Describe(StreamRef.ByName(name)).Value!.Id;
        var folder = Path.Combine(Path.GetTempPath(), "vs-latency-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        var latencies = new List<long>();
        using var subscription = server.Services.GetRequiredService<LiveHub>().Subscribe(id, capacity: 16384);
        using var stop = new CancellationTokenSource();
        var recordFrom = long.MaxValue;
        var reading = Task.Run(async () =>
        {
            await foreach (var ev in subscription.ReadAllAsync(stop.Token))
            {
                if (ev.Kind == LiveEventKind.Frame && ev.Frame!.Timestamp >= Volatile.Read(ref recordFrom))
                {
                    latencies.Add(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - ev.Frame.Timestamp);
                }
            }
        });
        try
        {
            var device = new DeviceFile
            {
                Name = name,
                ServerUrl = server.BaseUrl,
                Source = DeviceFile.Synthetic(640, 360, 30),
                BitrateKbps = 1000,
                GopFrames = 30,
                FragmentDurationMs = 1000,
                FramesAsCaptured = framesAsCaptured,
            };
            await using var agent = AgentProcess.Start(device.WriteTo(folder));
            await agent.WaitUntilStreamingAsync(name);
            // The first seconds (encoder start, stream check, first session) are not steady state.
            await Task.Delay(TimeSpan.FromSeconds(2));
            Volatile.Write(ref recordFrom, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            await Task.Delay(TimeSpan.FromSeconds(seconds));
            Assert.Equal(0, await agent.StopAsync(TimeSpan.FromSeconds(60)));
        }
        finally
        {
            await stop.CancelAsync();
            await reading.ContinueWith(_ => { }, TaskScheduler.Default);
            Directory.Delete(folder, recursive: true);
        }

        Assert.True(latencies.Count > seconds * 15, $"only {latencies.Count} frames reached the hub in {seconds} s");
        latencies.Sort();
        var figures = string.Create(CultureInfo.InvariantCulture,
            $"{latencies.Count} frames, p50 {Percentile(latencies, 0.50)} ms, p95 {Percentile(latencies, 0.95)} ms, max {latencies[^1]} ms");
        output.WriteLine($"framesAsCaptured {framesAsCaptured}: {figures}");

        // 1 s fragments, each starting with an IDR, all of it stored. A starved encoder (a loaded machine) drops raw
        // frames, which can push a key frame, and so a cut, later: up to two fragment durations.
        using var client = server.CreateClient();
        var listed = await StoredStream.ListAsync(client, name);
        Assert.True(listed.Count >= seconds * 3 / 4, $"{listed.Count} fragments for {seconds + 2} s of 1 s fragments");
        var path = Path.Combine(Path.GetTempPath(), $"vs-latency-{Guid.NewGuid():N}.mkv");
        try
        {
            await StoredStream.SaveMediaAsync(client, name, [.. listed.Select(f => f.Number)], path);
            foreach (var fragment in StoredStream.Read(path))
            {
                Assert.True(fragment.Frames.Count > 0 && fragment.Frames[0].IsKeyframe && fragment.Frames[0].HasIdr, $"fragment {fragment.Number} does not start with an IDR");
            }
        }
        finally
        {
            File.Delete(path);
        }

        Assert.True(listed.SkipLast(1).All(f => f.DurationMs is >= 700 and <= 2500), "fragment durations: " + string.Join(", ", listed.Select(f => f.DurationMs)));
        return figures;
    }

    private static long Percentile(List<long> sorted, double p) => sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];
}
