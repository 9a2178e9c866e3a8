using System.Collections.Concurrent;
using VideoStreams.TestSupport;

namespace VideoStreams.Cli.Tests.Media;

/// <summary>
/// Each sample remuxed once per test class that asks, shared by the tests judging that output from different sides
/// (the judges only read it); tests that change an output make their own.
/// </summary>
public sealed class RemuxedSamples : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<(ToolResult Run, string Path)>>> _outputs = new();

    /// <summary>Runs <c>vs media remux SAMPLE OUT</c> (or <c>--hls OUT</c> when <paramref name="kind"/> is "hls") once; the run must succeed.</summary>
    public Task<(ToolResult Run, string Path)> GetAsync(string sample, string kind) =>
        _outputs.GetOrAdd($"{sample}.{kind}", key => new Lazy<Task<(ToolResult, string)>>(async () =>
        {
            var folder = _temp[key + ".d"];
            Directory.CreateDirectory(folder);
            var output = Path.Combine(folder, kind == "hls" ? "hls" : "out." + kind);
            var run = kind == "hls"
                ? await Vs.SucceedAsync("media", "remux", Samples.PathOf(sample), "--hls", output)
                : await Vs.SucceedAsync("media", "remux", Samples.PathOf(sample), output);
            return (run, output);
        })).Value;

    public void Dispose() => _temp.Dispose();
}
