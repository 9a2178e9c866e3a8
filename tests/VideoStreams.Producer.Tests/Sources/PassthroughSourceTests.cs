using System.Net;
using System.Net.Sockets;
using VideoStreams.Producer.Fragmenting;
using VideoStreams.Producer.Sources;
using VideoStreams.TestSupport;

namespace VideoStreams.Producer.Tests.Sources;

public sealed class PassthroughSourceTests
{
    private static readonly EncoderSettings Encoder = new();

    [Theory]
    [InlineData(Samples.Main360p30Aac)] // B-frames: PTS out of decode order
    [InlineData(Samples.Baseline360p25)]
    [InlineData("main-640x360-30fps-aac.mp4")] // through ffmpeg -c copy -f matroska
    public async Task A_file_played_once_is_stored_bit_for_bit(string sample)
    {
        var file = Samples.PathOf(sample);
        var spec = new VideoSourceSpec { Type = VideoSourceType.File, Path = file, Loop = false, Mode = SourceMode.Passthrough };
        await using var source = VideoSources.Create(spec, Encoder, TimeSpan.FromSeconds(2), new FastTimeProvider(20));
        using var sink = new FragmentingSink();

        await SourceTestKit.RunUntilAsync(source, sink, TimeSpan.FromSeconds(25));

        Assert.Equal(AccessUnitFormat.Avcc, sink.Format);
        Assert.NotEmpty(sink.Configurations);
        Assert.All(sink.Fragments, f => Assert.True(f.StartsWithKeyframe));
        var path = SourceTestKit.TempFile(".mkv");
        try
        {
            await File.WriteAllBytesAsync(path, sink.Concatenate());
            var expected = await SourceTestKit.PacketHashesAsync(file);
            Assert.Equal(expected, await SourceTestKit.PacketHashesAsync(path));
            Assert.Equal("", await SourceTestKit.DecodeErrorsAsync(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Timestamps_are_the_start_time_plus_each_frames_presentation_time()
    {
        var time = new FastTimeProvider(20);
        var spec = new VideoSourceSpec { Type = VideoSourceType.File, Path = Samples.PathOf(Samples.Main360p30Aac), Loop = false };
        await using var source = VideoSources.Create(spec, Encoder, TimeSpan.FromSeconds(2), time);
        using var sink = new FragmentingSink();
        var before = time.GetUtcNow().ToUnixTimeMilliseconds();

        await SourceTestKit.RunUntilAsync(source, sink, TimeSpan.FromSeconds(25));

        var probed = (await FfprobeReport.ProbeAsync(Samples.PathOf(Samples.Main360p30Aac))).PacketsOf("video");
        Assert.Equal(probed.Count, sink.Timestamps.Count);
        // The first frame (in decode order) is at the start time; every other one is its own offset from it.
        var start = sink.Timestamps[0];
        Assert.InRange(start, before, before + 2000);
        for (var i = 0; i < probed.Count; i++)
        {
            Assert.Equal(start + (long)Math.Round((probed[i].Pts!.Value - probed[0].Pts!.Value) * 1000), sink.Timestamps[i]);
        }
    }

    [Fact]
    public async Task A_looped_file_keeps_its_timestamps_increasing_by_the_file_duration_each_loop()
    {
        var spec = new VideoSourceSpec { Type = VideoSourceType.File, Path = Samples.PathOf(Samples.Tiny), Loop = true };
        await using var source = VideoSources.Create(spec, Encoder, TimeSpan.FromSeconds(1), new FastTimeProvider(10));
        using var sink = new FragmentingSink(new FragmenterOptions { FragmentDuration = TimeSpan.FromSeconds(1) }, stopAfterFrames: 35);

        await SourceTestKit.RunUntilAsync(source, sink, TimeSpan.FromSeconds(25));

        // The tiny sample is 10 frames at 10 fps: loop k is loop 0 moved by k seconds.
        Assert.True(sink.Timestamps.Count >= 30, $"{sink.Timestamps.Count} frames");
        var first = sink.Timestamps.Take(10).ToList();
        for (var k = 1; k < 3; k++)
        {
            Assert.Equal(first.Select(t => t + (1000 * k)), sink.Timestamps.Skip(10 * k).Take(10));
        }

        Assert.All(sink.Fragments, f => Assert.True(f.StartsWithKeyframe));
        Assert.All(sink.Fragments.Zip(sink.Fragments.Skip(1)), p => Assert.True(p.Second.TimestampMs > p.First.TimestampMs));
        Assert.True(sink.Fragments.Count >= 3);
    }

    [Fact]
    public async Task An_http_url_is_passed_through_bit_for_bit()
    {
        var file = Samples.PathOf(Samples.Baseline360p25);
        using var server = new OneFileHttpServer(file);
        var spec = new VideoSourceSpec { Type = VideoSourceType.Url, Url = server.Url, Mode = SourceMode.Passthrough };
        await using var source = VideoSources.Create(spec, Encoder, TimeSpan.FromSeconds(2), new FastTimeProvider(20));
        using var sink = new FragmentingSink();

        await SourceTestKit.RunUntilAsync(source, sink, TimeSpan.FromSeconds(25));

        Assert.True(server.Requests > 0);
        var path = SourceTestKit.TempFile(".mkv");
        try
        {
            await File.WriteAllBytesAsync(path, sink.Concatenate());
            Assert.Equal(await SourceTestKit.PacketHashesAsync(file), await SourceTestKit.PacketHashesAsync(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task An_unreachable_url_fails_with_a_message_naming_it()
    {
        var port = FreePort();
        var url = new Uri($"http://127.0.0.1:{port}/camera.mkv");
        await using var source = VideoSources.Create(new VideoSourceSpec { Type = VideoSourceType.Url, Url = url }, Encoder, TimeSpan.FromSeconds(2));
        using var sink = new FragmentingSink();

        var e = await Assert.ThrowsAsync<VideoSourceException>(() => source.RunAsync(sink, CancellationToken.None));

        Assert.Contains(url.OriginalString, e.Message, StringComparison.Ordinal);
        Assert.Contains("refused", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_missing_file_fails_with_a_message_naming_it()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-video-" + Guid.NewGuid().ToString("N") + ".mkv");
        await using var source = VideoSources.Create(new VideoSourceSpec { Type = VideoSourceType.File, Path = missing }, Encoder, TimeSpan.FromSeconds(2));

        var e = await Assert.ThrowsAsync<VideoSourceException>(() => source.RunAsync(new FragmentingSink(), CancellationToken.None));

        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stopping_kills_the_ffmpeg_remuxer_and_returns()
    {
        var spec = new VideoSourceSpec { Type = VideoSourceType.File, Path = Samples.PathOf("main-640x360-30fps-aac.mp4"), Loop = true };
        await using var source = VideoSources.Create(spec, Encoder, TimeSpan.FromSeconds(2));
        using var sink = new FragmentingSink(stopAfterFrames: 10);
        var started = System.Diagnostics.Stopwatch.StartNew();

        await SourceTestKit.RunUntilAsync(source, sink, TimeSpan.FromSeconds(60));

        // Stopped by the cancel after 10 frames (a loaded machine may release a few seconds' catch-up first), not by
        // the 60 s limit, and the looped 6 s file did not go round.
        Assert.InRange(sink.Timestamps.Count, 10, 179);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(30), $"took {started.Elapsed}");
        Assert.Empty(SourceTestKit.ChildProcesses("ffmpeg", "main-640x360-30fps-aac.mp4"));
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Serves one file over HTTP on 127.0.0.1 (no ranges), as a simple camera or media server would.</summary>
    private sealed class OneFileHttpServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;
        private int _requests;

        public OneFileHttpServer(string file)
        {
            var port = FreePort();
            Url = new Uri($"http://127.0.0.1:{port}/{Path.GetFileName(file)}");
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            _loop = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext context;
                    try
                    {
                        context = await _listener.GetContextAsync();
                    }
                    catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                    {
                        return;
                    }

                    Interlocked.Increment(ref _requests);
                    try
                    {
                        var bytes = await File.ReadAllBytesAsync(file);
                        context.Response.ContentType = "video/x-matroska";
                        context.Response.ContentLength64 = bytes.Length;
                        await context.Response.OutputStream.WriteAsync(bytes);
                        context.Response.Close();
                    }
                    catch (HttpListenerException)
                    {
                        // The client went away.
                    }
                }
            });
        }

        public Uri Url { get; }

        public int Requests => Volatile.Read(ref _requests);

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
