using System.Globalization;

namespace VideoStreams.Benchmarks.Latency;

/// <summary>One displayed frame: its burned-in capture time and the wall clock when Chromium displayed it (epoch ms).</summary>
internal sealed record FrameSample(double Capture, double Display, double MediaTime, double? ProgramTime);

/// <summary>
/// Frames read in a window, how many displayed frames had no readable strip, how old the live edge of each playlist
/// loaded in the window was (ms: load time minus the program date time of the end of its newest part or segment), and
/// hls.js's own latency estimate and target at the end of the window (s behind the live edge).
/// </summary>
internal sealed record FrameSamples(IReadOnlyList<FrameSample> Samples, int Misses, IReadOnlyList<double> EdgeLags, double? Latency, double? TargetLatency);

/// <summary>Glass-to-glass figures of one window: display minus capture of every displayed frame.</summary>
internal sealed record LatencyFigures(int Frames, int Misses, double P50, double P95, double Min, double Max)
{
    public static LatencyFigures Of(FrameSamples window)
    {
        var latencies = window.Samples.Select(s => s.Display - s.Capture).Order().ToArray();
        return latencies.Length == 0
            ? new LatencyFigures(0, window.Misses, double.NaN, double.NaN, double.NaN, double.NaN)
            : new LatencyFigures(latencies.Length, window.Misses, Percentile(latencies, 0.50), Percentile(latencies, 0.95), latencies[0], latencies[^1]);
    }

    /// <summary>Nearest rank on a sorted array.</summary>
    public static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    public static string Seconds(double ms) => double.IsNaN(ms) ? "–" : (ms / 1000).ToString("0.00", CultureInfo.InvariantCulture) + " s";
}
