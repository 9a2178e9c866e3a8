using System.Buffers;
using BenchmarkDotNet.Attributes;
using VideoStreams.Media.Matroska;
using VideoStreams.Media.Remux;

namespace VideoStreams.Benchmarks;

/// <summary>
/// Remuxing from memory: the 60 s input (see <see cref="BenchInput"/>) is read into one array before timing, so these
/// figures are the library's own cost, without file I/O. The extra columns divide by the input's size and frame count.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(RemuxColumnsConfig))]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class RemuxBenchmarks
{
    private static readonly MatroskaEventHandler NoOp = static (_, in _) => { };

    private ReadOnlyMemory<byte> _input;
    private ArrayBufferWriter<byte> _mp4 = null!;
    private Mp4RemuxPlan _plan = null!;

    [GlobalSetup]
    public void Setup()
    {
        _input = File.ReadAllBytes(BenchInput.Ensure());
        _plan = Mp4Remuxer.Plan(_input);

        // Sized once to the output so every timed run writes into the same memory.
        _mp4 = new ArrayBufferWriter<byte>(checked((int)_plan.Layout.FileSize));
    }

    [Benchmark(Baseline = true, Description = "MKV read only (no-op handler)")]
    public long ReadOnly()
    {
        var reader = new MatroskaReader();
        reader.ReadAll(_input, NoOp);
        return reader.Position;
    }

    [Benchmark(Description = "MKV → fMP4 (CmafSegmenter, counting sink)")]
    public long ToFragmentedMp4()
    {
        var sink = new CountingSink();
        using var segmenter = new CmafSegmenter(sink);
        new MatroskaReader().ReadAll(_input, segmenter.Handle);
        segmenter.Complete();
        return sink.Bytes;
    }

    [Benchmark(Description = "MKV → MP4 (Plan + WriteTo)")]
    public long ToProgressiveMp4()
    {
        var plan = Mp4Remuxer.Plan(_input);
        _mp4.ResetWrittenCount();
        plan.WriteTo(_input.Span, _mp4);
        return _mp4.WrittenCount;
    }

    [Benchmark(Description = "  of which Mp4Remuxer.Plan")]
    public Mp4RemuxPlan Mp4PlanOnly() => Mp4Remuxer.Plan(_input);

    [Benchmark(Description = "  of which plan.WriteTo")]
    public long Mp4WriteOnly()
    {
        _mp4.ResetWrittenCount();
        _plan.WriteTo(_input.Span, _mp4);
        return _mp4.WrittenCount;
    }
}
