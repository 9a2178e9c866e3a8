using BenchmarkDotNet.Running;
using VideoStreams.Benchmarks;
using VideoStreams.Benchmarks.Hls;
using VideoStreams.Benchmarks.Ingest;
using VideoStreams.Benchmarks.Store;

if (args is ["clip", .. var clipArgs])
{
    return await VideoStreams.Benchmarks.Clips.ClipBench.RunAsync(clipArgs);
}

if (args is ["hls", .. var hlsArgs])
{
    return await HlsBench.RunAsync(hlsArgs);
}

if (args is ["latency", .. var latencyArgs])
{
    return await VideoStreams.Benchmarks.Latency.LatencyBench.RunAsync(latencyArgs);
}

if (args is ["ll-crowd", .. var crowdArgs])
{
    return await VideoStreams.Benchmarks.Latency.LlCrowd.RunChildAsync(crowdArgs);
}

if (args is ["breakdown", .. var rest])
{
    await Breakdown.RunAsync(rest);
    return 0;
}

if (args is ["store", .. var storeArgs])
{
    return await StoreBench.RunAsync(storeArgs);
}

if (args is ["ingest", .. var ingestArgs])
{
    return await IngestBench.RunAsync(ingestArgs);
}

// Generated (once) before BenchmarkDotNet starts, so the one-time ffmpeg encode is never inside a measurement.
var input = BenchInput.Stats;
Console.WriteLine($"// input: {BenchInput.FilePath}: {input.Megabytes:0.0} MB, {input.VideoFrames} video + {input.AudioFrames} audio frames");
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
