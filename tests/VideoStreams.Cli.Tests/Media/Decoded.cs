using System.Collections.Concurrent;
using VideoStreams.TestSupport;

namespace VideoStreams.Cli.Tests.Media;

/// <summary>What a viewer sees: picture sizes as ffmpeg decodes them.</summary>
internal static class Decoded
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<IReadOnlyList<(double FromSeconds, string Size)>>>> Cache = new();

    /// <summary>Runs of equal decoded picture size, each with the presentation time of its first frame (decoded once per path).</summary>
    public static Task<IReadOnlyList<(double FromSeconds, string Size)>> ConfigurationRunsAsync(string path) =>
        Cache.GetOrAdd(path, p => new Lazy<Task<IReadOnlyList<(double FromSeconds, string Size)>>>(() => DecodeAsync(p))).Value;

    private static async Task<IReadOnlyList<(double FromSeconds, string Size)>> DecodeAsync(string path)
    {
        var runs = new List<(double, string)>();
        foreach (var (pts, width, height) in (await MediaJudges.DecodedVideoFramesAsync(path)).OrderBy(f => f.Pts))
        {
            var size = $"{width}x{height}";
            if (runs.Count == 0 || runs[^1].Item2 != size)
            {
                runs.Add((pts, size));
            }
        }

        return runs;
    }
}
