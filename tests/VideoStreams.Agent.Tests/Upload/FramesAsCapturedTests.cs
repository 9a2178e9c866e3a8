using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VideoStreams.Agent.Tests.EndToEnd;
using VideoStreams.Agent.Tests.Faults;
using VideoStreams.Producer.Upload;
using VideoStreams.Server.Live;
using VideoStreams.Server.Tests;
using VideoStreams.Storage;
using VideoStreams.Storage.Streams;
using Xunit.Abstractions;
using static VideoStreams.Agent.Tests.Upload.UploadTestKit;

namespace VideoStreams.Agent.Tests.Upload;

/// <summary>
/// Frames as captured (issue 9, camera side): the uploader sends the fragment in progress frame by frame, and the real
/// server (in-process, so the test can subscribe to its live hub) publishes each frame as it arrives. Nothing here is
/// timed: the test captures frames one by one and looks at what the server has seen.
/// </summary>
public sealed class FramesAsCapturedTests(ServerFixture server, ITestOutputHelper output) : IClassFixture<ServerFixture>
{
    private readonly ILoggerFactory _logs = TestLog.Factory(output);

    private LiveHub Hub => server.Services.GetRequiredService<LiveHub>();

    [Fact]
    public async Task Frames_of_the_fragment_in_progress_reach_the_server_hub_before_the_fragment_is_complete()
    {
        var (stream, id) = await StreamAsync();
        using var spool = new TempSpool();
        using var camera = await LiveCamera.CreateAsync(spool.Spool, seconds: 4);
        using var hub = new HubEvents(Hub.Subscribe(id, capacity: 16384));
        await using var uploader = Start(new PutMediaUploader(Options(server.BaseUrl, stream), spool.Spool, loggerFactory: _logs, framesAsCaptured: camera.Feed));

        // Fragment 0 whole, then fragment 1 up to its 10th frame: fragment 1 cannot be complete, yet its frames are there.
        await hub.CaptureOneByOneAsync(camera, 1, uploader.Task);
        camera.Capture(LiveCamera.FramesPerFragment + 9);
        var second = camera.TimestampOf(LiveCamera.FramesPerFragment);
        await hub.WaitUntilAsync(e => hub.FramesOf(second) == 10, "the 10 frames of fragment 1 captured so far", uploader.Task);
        Assert.False(hub.Received(second), "fragment 1 was RECEIVED before it was complete");
        Assert.True(hub.Received(camera.TimestampOf(0)), "fragment 0 is RECEIVED once fragment 1's cluster begins");

        // One frame more: it reaches the hub on its own.
        camera.Capture(1);
        await hub.WaitUntilAsync(e => hub.FramesOf(second) == 11, "the 11th frame of fragment 1", uploader.Task);
        Assert.False(hub.Received(second));

        // The next key frame completes fragment 1: RECEIVED comes after every one of its frames.
        camera.CaptureUntilFragment(2);
        await hub.WaitUntilAsync(e => hub.Received(second), "fragment 1 to be RECEIVED", uploader.Task);
        Assert.Equal(LiveCamera.FramesPerFragment, hub.FramesBeforeReceived(second));

        camera.Stop();
        await WaitUntilAsync(() => spool.Spool.PendingCount == 0, "the spool to empty", uploader.Task);
        await AssertStoredFramesAsync(stream, camera);
        // Fragment 0's first frame was sent as captured too, and so every fragment (fragment 2 was flushed at the stop).
        Assert.Equal(3, uploader.Uploader.FragmentsSentAsCaptured);
        Assert.Equal(0, uploader.Uploader.Reconnects);
    }

    [Fact]
    public async Task The_PutMedia_body_is_a_valid_mkv_stream_whose_clusters_have_unknown_sizes()
    {
        var (stream, id) = await StreamAsync();
        using var spool = new TempSpool();
        using var camera = await LiveCamera.CreateAsync(spool.Spool, seconds: 4);
        using var hub = new HubEvents(Hub.Subscribe(id, capacity: 16384));
        var recorder = new RecordingConnector();
        await using var uploader = Start(new PutMediaUploader(Options(server.BaseUrl, stream), spool.Spool, recorder.Connect, loggerFactory: _logs,
            framesAsCaptured: camera.Feed));

        await hub.CaptureOneByOneAsync(camera, (3 * LiveCamera.FramesPerFragment) + 15, uploader.Task);
        camera.Stop();
        await WaitUntilAsync(() => spool.Spool.PendingCount == 0, "the spool to empty", uploader.Task);
        await uploader.StopAsync();

        var bodies = recorder.Bodies();
        Assert.Single(bodies);
        Assert.Equal(4, uploader.Uploader.FragmentsSentAsCaptured);
        var frames = MkvFrames.Read(bodies[0], out var unknownSize, out var clusters);
        Assert.Equal(4, clusters);
        Assert.Equal(4, unknownSize);
        Assert.Equal(camera.CapturedFrames().Select(f => (f.Ms, Convert.ToHexString(f.Data))), frames.Select(f => (f.Ms, Convert.ToHexString(f.Data))));

        // mkvtoolnix reads it too.
        var path = Path.Combine(spool.Folder, "body.mkv");
        await File.WriteAllBytesAsync(path, bodies[0]);
        var (exit, text) = await RunAsync("mkvinfo", "--all", path);
        Assert.True(exit == 0, $"mkvinfo exited with {exit}:\n{text}");
        Assert.Equal(4, text.Split('\n').Count(l => l.StartsWith("|+ Cluster", StringComparison.Ordinal)));
        Assert.Equal(camera.Captured, text.Split('\n').Count(l => l.Contains("Simple block: key", StringComparison.Ordinal) || l.Contains("Simple block: track", StringComparison.Ordinal)));
        await AssertStoredFramesAsync(stream, camera);
    }

    [Fact]
    public async Task A_connection_cut_in_the_middle_of_a_fragment_loses_nothing_and_stores_that_fragment_once()
    {
        var (stream, id) = await StreamAsync();
        using var spool = new TempSpool();
        using var camera = await LiveCamera.CreateAsync(spool.Spool, seconds: 6);
        using var hub = new HubEvents(Hub.Subscribe(id, capacity: 16384));
        await using var proxy = new TcpFaultProxy(server.BaseUrl);
        await using var uploader = Start(new PutMediaUploader(Options(proxy.BaseUrl, stream), spool.Spool, loggerFactory: _logs, framesAsCaptured: camera.Feed));

        await hub.CaptureOneByOneAsync(camera, LiveCamera.FramesPerFragment + 12, uploader.Task);
        var second = camera.TimestampOf(LiveCamera.FramesPerFragment);
        await hub.WaitUntilAsync(e => hub.FramesOf(second) == 12, "12 frames of fragment 1", uploader.Task);
        Assert.True(proxy.Cut(TimeSpan.FromMilliseconds(300)) >= 1, "a PutMedia connection was open to cut");
        await hub.WaitUntilAsync(e => hub.Rejected >= 1, "the server to drop the fragment cut short", uploader.Task);

        camera.CaptureUntilFragment(5);
        camera.Stop();
        await WaitUntilAsync(() => spool.Spool.PendingCount == 0, "the spool to empty", uploader.Task);

        Assert.True(uploader.Uploader.Reconnects >= 1, $"reconnects: {uploader.Uploader.Reconnects}");
        // The fragment cut short was never acknowledged: sent again whole from the spool, and stored once.
        await AssertStoredFramesAsync(stream, camera);
    }

    [Fact]
    public async Task A_connection_that_stalls_in_the_middle_of_a_fragment_is_abandoned_and_nothing_is_lost()
    {
        var (stream, id) = await StreamAsync();
        using var spool = new TempSpool();
        using var camera = await LiveCamera.CreateAsync(spool.Spool, seconds: 5);
        using var hub = new HubEvents(Hub.Subscribe(id, capacity: 16384));
        await using var proxy = new TcpFaultProxy(server.BaseUrl);
        var options = Options(proxy.BaseUrl, stream) with { StallTimeout = TimeSpan.FromSeconds(2) };
        await using var uploader = Start(new PutMediaUploader(options, spool.Spool, loggerFactory: _logs, framesAsCaptured: camera.Feed));
        await hub.CaptureOneByOneAsync(camera, LiveCamera.FramesPerFragment + 8, uploader.Task);

        // Fragment 1 is BUFFERING and the newest, so it owes no ack; the stall shows once the next fragment gets none.
        proxy.Stall();
        camera.CaptureUntilFragment(3);
        await WaitUntilAsync(() => uploader.Uploader.Stalls >= 1, "the uploader to notice the stall", uploader.Task);
        proxy.Resume();

        await hub.CaptureOneByOneAsync(camera, 10, uploader.Task);
        camera.Stop();
        await WaitUntilAsync(() => spool.Spool.PendingCount == 0, "the spool to empty", uploader.Task);
        await AssertStoredFramesAsync(stream, camera);
    }

    [Fact]
    public async Task After_an_outage_the_spooled_fragments_go_first_then_frames_are_sent_as_captured_again()
    {
        var (stream, id) = await StreamAsync();
        using var spool = new TempSpool();
        using var camera = await LiveCamera.CreateAsync(spool.Spool, seconds: 8);
        using var hub = new HubEvents(Hub.Subscribe(id, capacity: 16384));
        await using var proxy = new TcpFaultProxy(server.BaseUrl);
        await using var uploader = Start(new PutMediaUploader(Options(proxy.BaseUrl, stream), spool.Spool, loggerFactory: _logs, framesAsCaptured: camera.Feed));
        await hub.CaptureOneByOneAsync(camera, LiveCamera.FramesPerFragment + 5, uploader.Task);
        await hub.WaitUntilAsync(e => hub.FramesOf(camera.TimestampOf(LiveCamera.FramesPerFragment)) == 5, "fragment 1 as captured", uploader.Task);
        var beforeOutage = uploader.Uploader.FragmentsSentAsCaptured;

        // The uplink goes down; fragments 1 to 4 are captured meanwhile (into the spool), fragment 5 is in progress.
        proxy.Cut(Timeout.InfiniteTimeSpan);
        camera.Capture((5 * LiveCamera.FramesPerFragment) + 10 - camera.Captured);
        await WaitUntilAsync(() => proxy.ConnectionsRefused >= 1, "the uploader to try again while the uplink is down", uploader.Task);
        Assert.True(spool.Spool.PendingCount >= 4, $"{spool.Spool.PendingCount} fragments spooled during the outage");

        proxy.Resume();
        var fifth = camera.TimestampOf(5 * LiveCamera.FramesPerFragment);
        await hub.WaitUntilAsync(e => hub.FramesOf(fifth) == 10, "the frames of fragment 5 captured so far", uploader.Task);
        Assert.False(hub.Received(fifth));
        for (var f = 1; f < 5; f++)
        {
            // Each spooled fragment went first, whole: RECEIVED before anything of fragment 5.
            Assert.True(hub.ReceivedBeforeFramesOf(camera.TimestampOf(f * LiveCamera.FramesPerFragment), fifth), $"fragment {f} was not caught up before fragment 5");
        }

        // Back to frames as captured: fragment 5 (joined at its start) and the next ones.
        await hub.CaptureOneByOneAsync(camera, (7 * LiveCamera.FramesPerFragment) + 1 - camera.Captured, uploader.Task);
        camera.Stop();
        await WaitUntilAsync(() => spool.Spool.PendingCount == 0, "the spool to empty", uploader.Task);
        Assert.True(uploader.Uploader.FragmentsSentAsCaptured >= beforeOutage + 3,
            $"{uploader.Uploader.FragmentsSentAsCaptured} fragments sent as captured, {beforeOutage} of them before the outage");
        await AssertStoredFramesAsync(stream, camera);
    }

    [Fact]
    public async Task A_fragment_stored_as_captured_and_resent_with_its_cluster_size_is_stored_once()
    {
        // A restarted camera resends what its spool holds unacknowledged; here every fragment, all of which the
        // server already stored from clusters of unknown size. The resends carry sizes: the same fragments all the same.
        var (stream, id) = await StreamAsync();
        using var spool = new TempSpool();
        using var camera = await LiveCamera.CreateAsync(spool.Spool, seconds: 3);
        using var resend = new TempSpool();
        using var hub = new HubEvents(Hub.Subscribe(id, capacity: 16384));
        await using (var live = Start(new PutMediaUploader(Options(server.BaseUrl, stream), spool.Spool, loggerFactory: _logs, framesAsCaptured: camera.Feed)))
        {
            await hub.CaptureOneByOneAsync(camera, (2 * LiveCamera.FramesPerFragment) + 10, live.Task);
            camera.Stop();
            await WaitUntilAsync(() => spool.Spool.PendingCount == 0, "the spool to empty", live.Task);
            Assert.Equal(3, live.Uploader.FragmentsSentAsCaptured);
        }

        AppendAll(resend.Spool, camera.Fragments());
        await using var again = Start(new PutMediaUploader(Options(server.BaseUrl, stream), resend.Spool, loggerFactory: _logs));
        await WaitUntilAsync(() => resend.Spool.PendingCount == 0, "the resent fragments to be acknowledged", again.Task);
        Assert.Equal(3, again.Uploader.ReleasedFragments);
        await AssertStoredFramesAsync(stream, camera);
    }

    private async Task<(string Name, long Id)> StreamAsync()
    {
        var name = await CreateStreamAsync(server.BaseUrl);
        var store = server.Services.GetRequiredService<FragmentStore>();
        return (name, store.Streams.Describe(StreamRef.ByName(name)).Value!.Id);
    }

    /// <summary>ListFragments shows each fragment once, and the stored frames are the captured ones, each once, in order.</summary>
    private async Task AssertStoredFramesAsync(string stream, LiveCamera camera)
    {
        using var client = server.CreateClient();
        var listed = await StoredStream.ListAsync(client, stream);
        var expected = camera.Fragments();
        Assert.Equal(expected.Select(f => f.TimestampMs), listed.Select(f => f.ProducerMs));
        var path = Path.Combine(Path.GetTempPath(), $"vs-asc-{Guid.NewGuid():N}.mkv");
        try
        {
            await StoredStream.SaveMediaAsync(client, stream, [.. listed.Select(f => f.Number)], path);
            var stored = MkvFrames.Read(await File.ReadAllBytesAsync(path), out _, out _);
            Assert.Equal(camera.CapturedFrames().Select(f => (f.Ms, Convert.ToHexString(f.Data))), stored.Select(f => (f.Ms, Convert.ToHexString(f.Data))));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<(int Exit, string Output)> RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
