using System.Diagnostics;
using VideoStreams.Storage;
using VideoStreams.Storage.Files;
using VideoStreams.Storage.Fragments;
using static VideoStreams.Benchmarks.Store.StoreBench;

namespace VideoStreams.Benchmarks.Store;

/// <summary>
/// One stream, 1 MiB fragments, as fast as the store takes them: PERSISTED throughput, from the first append to the last
/// fragment persisted, for as many bytes as <c>dd bs=1M count=2048</c> writes. The writer keeps at most
/// <c>--in-flight-mb</c> appended-but-not-yet-persisted (a producer does not send further than its acks).
/// Options: --mb 2048, --fragment-kb 1024, --in-flight-mb 64, --commit-mb (store default 8), --commit-ms (default 5),
/// --reps 3, --encrypt 1 (0: encryption at rest off, to measure its cost).
/// </summary>
internal static class ThroughputScenario
{
    public static async Task RunAsync(StoreBenchArgs args)
    {
        var defaults = new FragmentStoreOptions { DataDirectory = "." };
        var totalBytes = args.Long("mb", 2048) << 20;
        var fragmentBytes = args.Int("fragment-kb", 1024) << 10;
        var inFlight = Math.Max(1, (int)((args.Long("in-flight-mb", 64) << 20) / fragmentBytes));
        var commitBytes = args.Long("commit-mb", defaults.CommitBytes >> 20) << 20;
        var commitInterval = TimeSpan.FromMilliseconds(args.Double("commit-ms", defaults.CommitInterval.TotalMilliseconds));
        var reps = args.Int("reps", 3);
        var encrypt = args.Long("encrypt", 1) != 0;
        var count = (int)(totalBytes / fragmentBytes);
        var media = new byte[fragmentBytes];
        new Random(1).NextBytes(media);

        Console.WriteLine(Invariant($"// {count} fragments of {fragmentBytes} B ({totalBytes / 1e6:0} MB), at most {inFlight} in flight; CommitBytes {commitBytes >> 20} MiB, CommitInterval {commitInterval.TotalMilliseconds} ms; encryption {(encrypt ? "on" : "off")}"));
        Console.WriteLine("| run | PERSISTED MB/s | wall s | fdatasync calls | MB per sync | time in syncs | append→PERSISTED p50 / p99 / max ms |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (var rep = 1; rep <= reps; rep++)
        {
            var folder = FreshFolder(Path.Combine(args.Data, "throughput"));
            Sync();
            var files = new CountingFileSystem(new PhysicalFileSystem(folder));
            using var store = FragmentStore.Open(new FragmentStoreOptions { DataDirectory = folder, CommitBytes = commitBytes, CommitInterval = commitInterval, Encryption = new Storage.Encryption.EncryptionOptions { Enabled = encrypt } }, files);
            var stream = store.Streams.CreateStream("throughput", dataRetentionInHours: 24).Value!.Id;
            await store.CommitAsync();
            var syncsBefore = files.FileSyncs;
            var syncTimeBefore = files.SyncTime;

            var window = new SemaphoreSlim(inFlight);
            var latencies = new double[count];
            var left = count;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                await window.WaitAsync();
                var index = i;
                var start = Stopwatch.GetTimestamp();
                var appended = store.Append(stream, new NewFragment(i * 1000L, i * 1000L, 1000, FragmentFlags.StartsWithKeyframe, media));
                _ = appended.Value!.Persisted.ContinueWith(t =>
                {
                    latencies[index] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    if (!t.Result.IsSuccess)
                    {
                        done.TrySetException(new InvalidOperationException(t.Result.Message));
                    }

                    window.Release();
                    if (Interlocked.Decrement(ref left) == 0)
                    {
                        done.TrySetResult();
                    }
                }, TaskScheduler.Default);
            }

            await done.Task;
            var wall = clock.Elapsed;
            var syncs = files.FileSyncs - syncsBefore;
            var lat = new Latencies(count);
            lat.AddRange(latencies);
            Console.WriteLine(Invariant($"| {rep} | **{totalBytes / 1e6 / wall.TotalSeconds:0}** | {wall.TotalSeconds:0.00} | {syncs} | {totalBytes / 1e6 / Math.Max(1, syncs):0.0} | {(files.SyncTime - syncTimeBefore).TotalSeconds / wall.TotalSeconds:P0} | {lat.Summary()} |"));
        }

        Directory.Delete(Path.Combine(args.Data, "throughput"), recursive: true);
    }

    /// <summary>Flushes whatever earlier work left dirty, so it is not written back inside the measurement.</summary>
    public static void Sync()
    {
        using var sync = Process.Start("sync");
        sync.WaitForExit();
    }
}
