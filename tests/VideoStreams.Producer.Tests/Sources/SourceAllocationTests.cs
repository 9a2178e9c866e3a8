using VideoStreams.Producer.Fragmenting;
using VideoStreams.Producer.Sources;
using VideoStreams.TestSupport;
using Xunit.Abstractions;

namespace VideoStreams.Producer.Tests.Sources;

[CollectionDefinition(nameof(SourceAllocationTests), DisableParallelization = true)]
public sealed class SourceAllocationCollection;

/// <summary>
/// Steady-state allocation of the encoder and passthrough paths, measured process-wide (the work hops between
/// threads) while no other test runs. The bounds are generous: they catch a buffer allocated per frame (kilobytes
/// to megabytes), not the odd timer or task the runtime allocates now and then.
/// </summary>
[Collection(nameof(SourceAllocationTests))]
public sealed class SourceAllocationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Encoding_does_not_allocate_per_frame_in_steady_state()
    {
        var spec = new VideoSourceSpec { Type = VideoSourceType.Synthetic, Width = 640, Height = 360, FrameRate = 30 };
        await using var source = VideoSources.Create(spec, new EncoderSettings(), TimeSpan.FromSeconds(2));
        var sink = new MeasuringSink(warmup: 45, measured: 90);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(25));
        var run = source.RunAsync(sink, cts.Token);
        await Task.WhenAny(run, sink.Done);
        await cts.CancelAsync();
        await run;

        Assert.True(sink.Done.IsCompleted, $"only {sink.Count} access units");
        var perFrame = sink.AllocatedBytes / sink.Measured;
        output.WriteLine($"encoder: {sink.AllocatedBytes} bytes over {sink.Measured} frames = {perFrame} bytes/frame (a frame is {640 * 360 * 3} bytes)");
        // Measured here: under 800 bytes per frame (timers, channel and socket-pipe operations), against a 691 KB frame.
        Assert.True(perFrame < 2048, $"{perFrame} bytes allocated per frame");
    }

    [Fact]
    public async Task Passthrough_does_not_allocate_per_frame_in_steady_state()
    {
        var spec = new VideoSourceSpec { Type = VideoSourceType.File, Path = Samples.PathOf(Samples.High720p30Aac), Loop = true };
        await using var source = VideoSources.Create(spec, new EncoderSettings(), TimeSpan.FromSeconds(2), new FastTimeProvider(10));
        // Within one play-through of the 6 s file (180 frames); a loop opens the file again, which allocates once.
        var sink = new MeasuringSink(warmup: 30, measured: 120);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(25));
        var run = source.RunAsync(sink, cts.Token);
        await Task.WhenAny(run, sink.Done);
        await cts.CancelAsync();
        await run;

        Assert.True(sink.Done.IsCompleted, $"only {sink.Count} access units");
        var perFrame = sink.AllocatedBytes / sink.Measured;
        output.WriteLine($"passthrough: {sink.AllocatedBytes} bytes over {sink.Measured} frames = {perFrame} bytes/frame");
        // Measured here: about 550 bytes per frame; the frames themselves average 1.6 KB, so a copy per frame would show.
        Assert.True(perFrame < 1024, $"{perFrame} bytes allocated per frame");
    }

    private sealed class MeasuringSink(int warmup, int measured) : IAccessUnitSink
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _start;

        public int Count { get; private set; }

        public long AllocatedBytes { get; private set; }

        public int Measured => measured;

        public Task Done => _done.Task;

        public void OnDecoderConfiguration(ReadOnlySpan<byte> avcDecoderConfigurationRecord)
        {
        }

        public void OnAccessUnit(ReadOnlySpan<byte> accessUnit, long timestampMs, AccessUnitFormat format)
        {
            Count++;
            if (Count == warmup)
            {
                _start = GC.GetTotalAllocatedBytes(precise: true);
            }
            else if (Count == warmup + measured)
            {
                AllocatedBytes = GC.GetTotalAllocatedBytes(precise: true) - _start;
                _done.TrySetResult();
            }
        }
    }
}
