using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace VideoStreams.Benchmarks;

/// <summary>Adds input throughput and allocation per input MB and per frame to the summary.</summary>
public sealed class RemuxColumnsConfig : ManualConfig
{
    public RemuxColumnsConfig()
    {
        AddColumn(
            new DerivedColumn("MB/s", "Input megabytes (10^6 bytes) per second, from the mean", (stats, mean, _) => $"{stats.Megabytes / (mean / 1e9):0}"),
            new DerivedColumn("Alloc/MB", "Bytes allocated per input megabyte", (stats, _, allocated) => Bytes(allocated / stats.Megabytes)),
            new DerivedColumn("Alloc/frame", "Bytes allocated per frame (video + audio)", (stats, _, allocated) => Bytes((double)allocated / stats.Frames)));
    }

    private static string Bytes(double value) => value switch
    {
        >= 1 << 20 => string.Create(CultureInfo.InvariantCulture, $"{value / (1 << 20):0.0} MiB"),
        >= 1 << 10 => string.Create(CultureInfo.InvariantCulture, $"{value / (1 << 10):0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{value:0.0} B"),
    };

    /// <summary>A column computed from the input's size and frame count, the mean (ns) and bytes allocated per operation.</summary>
    private sealed class DerivedColumn(string name, string legend, Func<InputStats, double, long, string> value) : IColumn
    {
        public string Id => nameof(DerivedColumn) + "." + ColumnName;

        public string ColumnName => name;

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => legend;

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var report = summary[benchmarkCase];
            var mean = report?.ResultStatistics?.Mean;
            var allocated = report?.GcStats.GetBytesAllocatedPerOperation(benchmarkCase);
            return mean is > 0 && allocated is not null ? value(BenchInput.Stats, mean.Value, allocated.Value) : "-";
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
