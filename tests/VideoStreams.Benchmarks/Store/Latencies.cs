using System.Globalization;

namespace VideoStreams.Benchmarks.Store;

/// <summary>Samples in milliseconds, and their percentiles (nearest rank).</summary>
internal sealed class Latencies
{
    private readonly List<double> _samples;
    private bool _sorted;

    public Latencies(int capacity = 1024) => _samples = new List<double>(capacity);

    public int Count => _samples.Count;

    public void Add(double milliseconds)
    {
        _samples.Add(milliseconds);
        _sorted = false;
    }

    public void AddRange(IEnumerable<double> milliseconds)
    {
        _samples.AddRange(milliseconds);
        _sorted = false;
    }

    public double Percentile(double p)
    {
        if (_samples.Count == 0)
        {
            return double.NaN;
        }

        if (!_sorted)
        {
            _samples.Sort();
            _sorted = true;
        }

        var rank = (int)Math.Ceiling(p / 100 * _samples.Count);
        return _samples[Math.Clamp(rank - 1, 0, _samples.Count - 1)];
    }

    public double Max => Percentile(100);

    public double Mean => _samples.Count == 0 ? double.NaN : _samples.Average();

    /// <summary>"p50 / p99 / max" in ms, for a markdown table.</summary>
    public string Summary() => string.Create(CultureInfo.InvariantCulture, $"{Format(Percentile(50))} / {Format(Percentile(99))} / {Format(Max)}");

    public static string Format(double ms) => ms switch
    {
        double.NaN => "–",
        < 1 => ms.ToString("0.000", CultureInfo.InvariantCulture),
        < 10 => ms.ToString("0.00", CultureInfo.InvariantCulture),
        _ => ms.ToString("0.0", CultureInfo.InvariantCulture),
    };
}
