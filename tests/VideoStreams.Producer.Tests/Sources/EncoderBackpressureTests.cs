using Microsoft.Extensions.Logging.Abstractions;
using VideoStreams.Producer.Sources;

namespace VideoStreams.Producer.Tests.Sources;

// Runs alone: its "no ffmpeg child left" check matches any 320x240 encoder, and other classes start those too.
[Collection(nameof(SourceAllocationTests))]
public sealed class EncoderBackpressureTests
{
    [Fact]
    public async Task A_source_faster_than_the_encoder_has_frames_dropped_before_encoding_and_counted_and_ends_cleanly()
    {
        // 1280x720 pictures delivered as fast as they can be drawn: far more than libx264 'medium' encodes on this
        // machine, so the four frame buffers fill up and the rest must be dropped rather than queued.
        using var raw = new UnpacedFrames(new SyntheticFrameSource(1280, 720, 30, TimeProvider.System), frames: 300);
        var metrics = new SourceMetrics(null, "backpressure");
        await using var source = new EncodedVideoSource(raw, new EncoderSettings { Preset = "medium" }, TimeSpan.FromSeconds(2), "backpressure", NullLogger.Instance, metrics);
        using var sink = new FragmentingSink();

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(25));
        await source.RunAsync(sink, cts.Token);

        Assert.False(cts.IsCancellationRequested, "the source ended by itself");
        Assert.Equal(300, metrics.Captured);
        Assert.True(metrics.Dropped > 0, "nothing dropped");
        Assert.Equal(metrics.Captured - metrics.Dropped, metrics.Encoded);
        Assert.Equal(metrics.Encoded, sink.Timestamps.Count);
    }

    [Fact]
    public async Task A_sink_that_throws_stops_the_encoder_and_the_error_comes_out_of_RunAsync()
    {
        var spec = new VideoSourceSpec { Type = VideoSourceType.Synthetic, Width = 320, Height = 240, FrameRate = 30 };
        await using var source = VideoSources.Create(spec, new EncoderSettings(), TimeSpan.FromSeconds(2));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(25));

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => source.RunAsync(new ThrowingSink(), cts.Token));

        Assert.False(cts.IsCancellationRequested, "RunAsync hung until the test's limit");
        Assert.Equal("sink is full", e.Message);
        Assert.Empty(SourceTestKit.ChildProcesses("ffmpeg", "-video_size 320x240"));
    }

    private sealed class ThrowingSink : IAccessUnitSink
    {
        private int _count;

        public void OnDecoderConfiguration(ReadOnlySpan<byte> avcDecoderConfigurationRecord)
        {
        }

        public void OnAccessUnit(ReadOnlySpan<byte> accessUnit, long timestampMs, VideoStreams.Producer.Fragmenting.AccessUnitFormat format)
        {
            if (++_count == 5)
            {
                throw new InvalidOperationException("sink is full");
            }
        }
    }

    /// <summary>Wraps a raw source without its pacing: every call delivers a picture at once, until a count.</summary>
    private sealed class UnpacedFrames(SyntheticFrameSource inner, int frames) : IRawFrameSource
    {
        private int _delivered;

        public string Description => "unpaced " + inner.Description;

        public int Width => inner.Width;

        public int Height => inner.Height;

        public double FrameRate => inner.FrameRate;

        public void Open() => inner.Open();

        public ValueTask<long> NextFrameAsync(RawFrame? frame, CancellationToken cancellationToken)
        {
            if (_delivered++ == frames)
            {
                return ValueTask.FromResult(-1L);
            }

            // The synthetic source waits only from its second frame on: ask it for a "first" frame every time.
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + _delivered;
            if (frame is not null)
            {
                SyntheticPattern.WriteCaptureTime(frame.Data, Width, Height, now);
            }

            return ValueTask.FromResult(now);
        }

        public void Dispose() => inner.Dispose();
    }
}
