using BenchmarkDotNet.Running;
using VideoStreams.Benchmarks;

if (args is ["breakdown", .. var rest])
{
    await Breakdown.RunAsync(rest);
    return;
}

// Generated (once) before BenchmarkDotNet starts, so the one-time ffmpeg encode is never inside a measurement.
var input = BenchInput.Stats;
Console.WriteLine($"// input: {BenchInput.FilePath}: {input.Megabytes:0.0} MB, {input.VideoFrames} video + {input.AudioFrames} audio frames");
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
