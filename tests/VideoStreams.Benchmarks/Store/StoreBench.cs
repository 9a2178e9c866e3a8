using System.Diagnostics;
using System.Globalization;

namespace VideoStreams.Benchmarks.Store;

/// <summary>
/// <c>-- store SCENARIO [--option value]…</c>: whole-scenario timings of the fragment store on the real disk, with
/// percentiles, printed as markdown rows for docs/PERFORMANCE.md. Scenarios: <c>throughput</c> (one stream, 1 MB
/// fragments), <c>streams</c> (1,000 streams × 2 Mbps), <c>floor</c> (the same load on the bare disk: its latency floor), <c>layout</c> (fdatasync of one shared file vs N files),
/// <c>index</c> (queries over 10 M indexed fragments), <c>recovery</c> (open after SIGKILL with 1 M fragments indexed).
/// Data goes to <c>--data DIR</c> (default: artifacts/bench/store, the disk store-bench.sh measures with dd).
/// </summary>
internal static class StoreBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: store throughput|streams|floor|layout|index|recovery [--data DIR] [--option value]...");
            return 2;
        }

        var options = StoreBenchArgs.Parse(args[1..]);
        Console.WriteLine($"// store {args[0]}: data {options.Data}; load average {LoadAverage()}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        switch (args[0])
        {
            case "throughput":
                await ThroughputScenario.RunAsync(options);
                break;
            case "streams":
                await ManyStreamsScenario.RunAsync(options);
                break;
            case "floor":
                DiskFloorScenario.Run(options);
                break;
            case "layout":
                LayoutScenario.Run(options);
                break;
            case "index":
                IndexScenario.Run(options);
                break;
            case "recovery":
                await RecoveryScenario.RunAsync(options);
                break;
            case "recovery-child":
                await RecoveryScenario.ChildAsync(options);
                break;
            default:
                Console.Error.WriteLine($"unknown store scenario {args[0]}");
                return 2;
        }

        Console.WriteLine($"// load average after: {LoadAverage()}");
        return 0;
    }

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    /// <summary>A fresh, empty folder (deleted first if it exists).</summary>
    public static string FreshFolder(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }

        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Drops a file's pages from the page cache (GNU dd's nocache flag: posix_fadvise DONTNEED), for cold reads.</summary>
    public static void DropFromPageCache(string path)
    {
        using var dd = Process.Start(new ProcessStartInfo("dd", ["if=" + path, "iflag=nocache", "count=0", "status=none"]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("could not start dd");
        dd.WaitForExit();
    }

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The scenario options: <c>--name value</c> pairs, with typed defaults.</summary>
internal sealed class StoreBenchArgs
{
    private readonly Dictionary<string, string> _values;

    private StoreBenchArgs(Dictionary<string, string> values) => _values = values;

    public string Data => _values.TryGetValue("data", out var data) ? Path.GetFullPath(data) : Path.Combine(BenchInput.CacheFolder, "store");

    public static StoreBenchArgs Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"expected --option, got {args[i]}");
            }

            values[args[i][2..]] = args[i + 1];
        }

        return new StoreBenchArgs(values);
    }

    public long Long(string name, long fallback) =>
        _values.TryGetValue(name, out var value) ? long.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public int Int(string name, int fallback) => checked((int)Long(name, fallback));

    public double Double(string name, double fallback) =>
        _values.TryGetValue(name, out var value) ? double.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public string String(string name, string fallback) => _values.GetValueOrDefault(name, fallback);

    public bool Flag(string name) => _values.TryGetValue(name, out var value) && value is "1" or "true" or "yes";
}
