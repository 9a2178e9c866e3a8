using VideoStreams.Benchmarks.Store;
using static VideoStreams.Benchmarks.Store.StoreBench;

namespace VideoStreams.Benchmarks.Ingest;

/// <summary>
/// <c>-- ingest SCENARIO [--option value]…</c>: PutMedia and GetMedia over real HTTP on loopback, against the product
/// server in its own process (the Release build of src/VideoStreams.Server, started here with a fresh data folder
/// under <c>--data</c> (default artifacts/bench/ingest), on the same disk as the store benchmarks), with the load generator in this process.
/// Scenarios: <c>one-stream</c> (a: max MB/s of one stream to PERSISTED, next to dd and curl), <c>streams</c> (b, d:
/// N paced 2 Mbps cameras, fragment end → PERSISTED, server RSS; <c>--readers K</c> adds c: a GetMedia NOW reader on
/// K of them, PERSISTED → reader). Rows are markdown, for docs/PERFORMANCE.md.
/// </summary>
internal static class IngestBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: ingest one-stream|streams [--data DIR] [--option value]...");
            return 2;
        }

        var options = StoreBenchArgs.Parse(args[1..]);
        Console.WriteLine($"// ingest {args[0]}: load average {LoadAverage()}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; {Environment.ProcessorCount} cores");
        switch (args[0])
        {
            case "one-stream":
                await OneStreamScenario.RunAsync(options);
                break;
            case "streams":
                await LiveStreamsScenario.RunAsync(options);
                break;
            default:
                Console.Error.WriteLine($"unknown ingest scenario {args[0]}");
                return 2;
        }

        Console.WriteLine($"// load average after: {LoadAverage()}");
        return 0;
    }

    /// <summary><c>--data DIR</c>, else artifacts/bench/ingest: the disk the store benchmarks measure (created if missing).</summary>
    public static string DataRoot(StoreBenchArgs args)
    {
        var root = Path.GetFullPath(args.String("data", Path.Combine(BenchInput.CacheFolder, "ingest")));
        Directory.CreateDirectory(root);
        return root;
    }
}
