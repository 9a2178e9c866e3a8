using System.Diagnostics;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;
using static VideoStreams.Benchmarks.Store.StoreBench;

namespace VideoStreams.Benchmarks.Store;

/// <summary>
/// Opening the store after a SIGKILL with <c>--fragments</c> (1 M) fragments indexed. The data folder is built once
/// through the store and cached in artifacts/bench: 100 streams of small fragments (1 KB: the bytes are irrelevant to
/// an open whose index is present) in 1 MiB chunks, so the folder holds about as many chunk files (≈ 1,100) as 1 M real
/// 250 KB fragments would in 256 MiB chunks. Then, <c>--reps</c> (5) times: a child process (this program,
/// <c>store recovery-child</c>) opens the store and appends under load; it is SIGKILLed at a random moment; the store is
/// opened here and timed (wall clock and <see cref="RecoveryReport.Elapsed"/>). With <c>--cold 1</c> every file of the
/// folder is dropped from the page cache before the open as well.
/// </summary>
internal static class RecoveryScenario
{
    private const int Streams = 100;
    private const int MediaBytes = 1000;
    private const long ChunkSize = 1L << 20;
    private const string BuiltMarker = "bench-built";

    public static async Task RunAsync(StoreBenchArgs args)
    {
        var fragments = args.Long("fragments", 1_000_000);
        var reps = args.Int("reps", 5);
        var cold = args.Flag("cold");
        var folder = Path.Combine(args.String("cache", BenchInput.CacheFolder), $"recovery-{fragments / 1e6:0.#}m");
        await BuildAsync(folder, fragments);
        Console.WriteLine(Invariant($"// {folder}: {Directory.GetFiles(folder, "*.chunk", SearchOption.AllDirectories).Length} chunk files, {DirectoryBytes(folder) / 1e9:0.00} GB"));
        Console.WriteLine("| run | killed after ms | fragments indexed | recovered at open | chunks scanned | torn bytes cut | Recovery.Elapsed ms | Open() wall ms |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        var random = new Random();
        var walls = new Latencies();
        for (var rep = 1; rep <= reps; rep++)
        {
            var killedAfter = await RunChildAndKillAsync(folder, TimeSpan.FromMilliseconds(random.Next(300, 1500)));
            if (cold)
            {
                foreach (var file in Directory.GetFiles(folder, "*", SearchOption.AllDirectories))
                {
                    DropFromPageCache(file);
                }
            }

            var clock = Stopwatch.StartNew();
            using var store = FragmentStore.Open(Options(folder));
            var wall = clock.Elapsed.TotalMilliseconds;
            walls.Add(wall);
            var recovery = store.Recovery;
            Console.WriteLine(Invariant($"| {rep}{(cold ? " (cold)" : "")} | {killedAfter.TotalMilliseconds:0} | {store.Index.CountFragments():N0} | {recovery.FragmentsRecovered:N0} | {recovery.ChunksScanned} | {recovery.TornBytesCut:N0} | {recovery.Elapsed.TotalMilliseconds:0} | **{wall:0}** |"));
        }

        Console.WriteLine(Invariant($"// Open() wall: median {Latencies.Format(walls.Percentile(50))} ms, max {Latencies.Format(walls.Max)} ms (target ≤ 2,000 ms)"));
    }

    /// <summary>The child: opens the store, says READY, appends to every stream as fast as commits allow, until killed.</summary>
    public static async Task ChildAsync(StoreBenchArgs args)
    {
        using var store = FragmentStore.Open(Options(args.Data));
        var streams = Enumerable.Range(0, Streams).Select(i => store.Index.FindStreamByName(Name(i))!.Id).ToArray();
        Console.WriteLine("READY");
        await AppendAsync(store, streams, long.MaxValue);
    }

    private static FragmentStoreOptions Options(string folder) => new() { DataDirectory = folder, ChunkSize = ChunkSize };

    private static string Name(int i) => $"camera-{i:D3}";

    private static async Task BuildAsync(string folder, long fragments)
    {
        if (File.Exists(Path.Combine(folder, BuiltMarker)))
        {
            Console.WriteLine($"// cached data folder ({File.ReadAllText(Path.Combine(folder, BuiltMarker)).Trim()})");
            return;
        }

        FreshFolder(folder);
        Console.WriteLine(Invariant($"// building {folder}: {fragments:N0} fragments through the store (one time)..."));
        var clock = Stopwatch.StartNew();
        using (var store = FragmentStore.Open(Options(folder)))
        {
            var streams = Enumerable.Range(0, Streams).Select(i => store.Streams.CreateStream(Name(i), dataRetentionInHours: 720).Value!.Id).ToArray();
            await AppendAsync(store, streams, fragments);
            await store.CommitAsync();
        }

        var built = Invariant($"{fragments:N0} fragments built in {clock.Elapsed.TotalSeconds:0} s");
        await File.WriteAllTextAsync(Path.Combine(folder, BuiltMarker), built + "\n");
        Console.WriteLine("// " + built);
    }

    /// <summary>Appends <paramref name="count"/> fragments round-robin over the streams, keeping at most 8,192 unpersisted.</summary>
    private static async Task AppendAsync(FragmentStore store, long[] streams, long count)
    {
        var media = new byte[MediaBytes];
        new Random(7).NextBytes(media);
        var window = new SemaphoreSlim(8192);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (long i = 0; i < count; i++)
        {
            await window.WaitAsync();
            var time = now + (i / streams.Length * 1000);
            var appended = store.Append(streams[i % streams.Length], new NewFragment(time, time, 1000, FragmentFlags.StartsWithKeyframe, media));
            _ = appended.Value!.Persisted.ContinueWith(_ => window.Release(), TaskScheduler.Default);
        }

        for (var i = 0; i < 8192; i++)
        {
            await window.WaitAsync();
        }
    }

    private static async Task<TimeSpan> RunChildAndKillAsync(string folder, TimeSpan runFor)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(RecoveryScenario).Assembly.Location);
        }

        foreach (var argument in new[] { "store", "recovery-child", "--data", folder })
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start) ?? throw new InvalidOperationException("could not start the child");
        string? line;
        while ((line = await child.StandardOutput.ReadLineAsync()) is not null && line != "READY")
        {
        }

        if (line is null)
        {
            throw new InvalidOperationException($"the child exited (code {(child.HasExited ? child.ExitCode : -1)}) before it was ready");
        }

        var clock = Stopwatch.StartNew();
        await Task.Delay(runFor);
        child.Kill(entireProcessTree: true);
        await child.WaitForExitAsync();
        return clock.Elapsed;
    }

    private static long DirectoryBytes(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
}
