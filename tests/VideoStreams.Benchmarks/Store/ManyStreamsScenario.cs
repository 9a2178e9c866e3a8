using System.Diagnostics;
using VideoStreams.Storage;
using VideoStreams.Storage.Files;
using VideoStreams.Storage.Fragments;
using static VideoStreams.Benchmarks.Store.StoreBench;

namespace VideoStreams.Benchmarks.Store;

/// <summary>
/// Many cameras at once: <c>--streams</c> (1,000) streams × <c>--mbps</c> (2) Mbit/s, one fragment per stream every
/// <c>--fragment-ms</c> (1,000 ms), i.e. 250 KB fragments, 1,000 fragments/s, 250 MB/s in all. The streams' fragments
/// are spread evenly over each second (stream i appends at i ms past the second), as independent cameras would be; one
/// scheduler thread appends each fragment when it is due. Measured over <c>--seconds</c> (30) after <c>--warmup</c> (5):
/// fragments PERSISTED per second, syncs per second (through a counting file layer), append→PERSISTED latency, and how
/// late the scheduler got (if appends could not keep up, the offered load was not met and the figures say so).
/// </summary>
internal static class ManyStreamsScenario
{
    public static async Task RunAsync(StoreBenchArgs args)
    {
        var streamCount = args.Int("streams", 1000);
        var mbps = args.Double("mbps", 2);
        var fragmentMs = args.Int("fragment-ms", 1000);
        var seconds = args.Int("seconds", 30);
        var warmup = args.Int("warmup", 5);
        var fragmentBytes = (int)(mbps * 1e6 / 8 * fragmentMs / 1000);
        var defaults = new FragmentStoreOptions { DataDirectory = "." };
        var commitInterval = TimeSpan.FromMilliseconds(args.Double("commit-ms", defaults.CommitInterval.TotalMilliseconds));
        var commitBytes = args.Long("commit-mb", defaults.CommitBytes >> 20) << 20;

        var folder = FreshFolder(Path.Combine(args.Data, "streams"));
        ThroughputScenario.Sync();
        var files = new CountingFileSystem(new PhysicalFileSystem(folder));
        using var store = FragmentStore.Open(new FragmentStoreOptions { DataDirectory = folder, CommitInterval = commitInterval, CommitBytes = commitBytes, ChunkSize = args.Long("chunk-mb", 256) << 20 }, files);
        var create = Stopwatch.StartNew();
        var streams = Enumerable.Range(0, streamCount).Select(i => store.Streams.CreateStream($"camera-{i:D4}", dataRetentionInHours: 24).Value!.Id).ToArray();
        create.Stop();
        await store.CommitAsync();

        var pool = Enumerable.Range(0, 16).Select(i =>
        {
            var media = new byte[fragmentBytes];
            new Random(i).NextBytes(media);
            return media;
        }).ToArray();

        var total = streamCount * (warmup + seconds) * 1000 / fragmentMs;
        var intervalTicks = Stopwatch.Frequency * fragmentMs / 1000.0 / streamCount;
        var appendedAt = new long[total];
        var persistedAt = new long[total];
        var appendTicks = new long[total];
        var lateTicks = new long[total];
        var left = total;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Console.WriteLine(Invariant($"// {streamCount} streams × {mbps} Mbit/s, {fragmentBytes} B fragments every {fragmentMs} ms = {streamCount * 1000.0 / fragmentMs:0} fragments/s, {streamCount * mbps / 8:0} MB/s offered; CommitInterval {commitInterval.TotalMilliseconds} ms, CommitBytes {commitBytes >> 20} MiB; streams created in {create.Elapsed.TotalSeconds:0.0} s"));

        long windowStart = 0, windowEnd = 0;
        long syncsAtStart = 0, syncsAtEnd = 0, fileSyncsAtStart = 0, fileSyncsAtEnd = 0, bytesAtStart = 0, bytesAtEnd = 0;
        TimeSpan syncTimeAtStart = default, syncTimeAtEnd = default;
        var measuredFirst = streamCount * warmup * 1000 / fragmentMs;
        var gcPauseBefore = GC.GetTotalPauseDuration();
        var gcCountsBefore = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var origin = Stopwatch.GetTimestamp();
        var scheduler = new Thread(() =>
        {
            for (var g = 0; g < total; g++)
            {
                var due = origin + (long)(g * intervalTicks);
                if (g == measuredFirst)
                {
                    (windowStart, syncsAtStart, fileSyncsAtStart, syncTimeAtStart, bytesAtStart) = (due, files.Syncs, files.FileSyncs, files.SyncTime, files.BytesWritten);
                }

                // Sleeping (not spinning) leaves both cores to the store; fragments due within the same ~1 ms tick go together.
                while (Stopwatch.GetTimestamp() < due)
                {
                    Thread.Sleep(1);
                }

                var index = g;
                var start = Stopwatch.GetTimestamp();
                lateTicks[index] = start - due;
                var stream = streams[g % streamCount];
                var k = g / streamCount;
                var appended = store.Append(stream, new NewFragment(1_700_000_000_000 + (k * (long)fragmentMs), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), fragmentMs,
                    FragmentFlags.StartsWithKeyframe | FragmentFlags.HasVideo, pool[g % pool.Length]));
                appendedAt[index] = start;
                appendTicks[index] = Stopwatch.GetTimestamp() - start;
                _ = appended.Value!.Persisted.ContinueWith(t =>
                {
                    persistedAt[index] = Stopwatch.GetTimestamp();
                    if (!t.Result.IsSuccess)
                    {
                        done.TrySetException(new InvalidOperationException(t.Result.Message));
                    }

                    if (Interlocked.Decrement(ref left) == 0)
                    {
                        done.TrySetResult();
                    }
                }, TaskScheduler.Default);
            }

            windowEnd = origin + (long)(total * intervalTicks);
            while (Stopwatch.GetTimestamp() < windowEnd)
            {
                Thread.Sleep(1);
            }

            (syncsAtEnd, fileSyncsAtEnd, syncTimeAtEnd, bytesAtEnd) = (files.Syncs, files.FileSyncs, files.SyncTime, files.BytesWritten);
        })
        { Name = "scheduler", Priority = ThreadPriority.AboveNormal };
        scheduler.Start();
        await done.Task;
        scheduler.Join();

        var window = Stopwatch.GetElapsedTime(windowStart, windowEnd).TotalSeconds;
        var latency = new Latencies(total);
        var append = new Latencies(total);
        var late = new Latencies(total);
        var persistedInWindow = 0;
        for (var g = 0; g < total; g++)
        {
            if (persistedAt[g] >= windowStart && persistedAt[g] < windowEnd)
            {
                persistedInWindow++;
            }

            if (g >= measuredFirst)
            {
                latency.Add(Stopwatch.GetElapsedTime(appendedAt[g], persistedAt[g]).TotalMilliseconds);
                append.Add(appendTicks[g] * 1000.0 / Stopwatch.Frequency);
                late.Add(lateTicks[g] * 1000.0 / Stopwatch.Frequency);
            }
        }

        Console.WriteLine();
        Console.WriteLine("| streams | offered fragments/s | PERSISTED fragments/s | MB/s written | syncs/s (fdatasync + dir fsync) | time in syncs | append→PERSISTED p50 / p99 / max ms | Append() call p50 / p99 / max ms | scheduler late p99 / max ms |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        Console.WriteLine(Invariant($"| {streamCount} | {streamCount * 1000.0 / fragmentMs:0} | **{persistedInWindow / window:0}** | {(bytesAtEnd - bytesAtStart) / 1e6 / window:0} | {(syncsAtEnd - syncsAtStart) / window:0} ({(fileSyncsAtEnd - fileSyncsAtStart) / window:0} + {(syncsAtEnd - syncsAtStart - (fileSyncsAtEnd - fileSyncsAtStart)) / window:0}) | {(syncTimeAtEnd - syncTimeAtStart).TotalSeconds / window:P0} | **{latency.Summary()}** | {append.Summary()} | {Latencies.Format(late.Percentile(99))} / {Latencies.Format(late.Max)} |"));
        Console.WriteLine(Invariant($"// measured {window:0.0} s after {warmup} s of warm-up; {latency.Count} fragments; latency p90 {Latencies.Format(latency.Percentile(90))} ms, p99.9 {Latencies.Format(latency.Percentile(99.9))} ms"));
        Console.WriteLine(Invariant($"// GC over the whole run: {(GC.GetTotalPauseDuration() - gcPauseBefore).TotalMilliseconds:0} ms paused; collections gen0 {GC.CollectionCount(0) - gcCountsBefore.Item1}, gen1 {GC.CollectionCount(1) - gcCountsBefore.Item2}, gen2 {GC.CollectionCount(2) - gcCountsBefore.Item3}"));
        if (!args.Flag("keep"))
        {
            store.Dispose();
            Directory.Delete(folder, recursive: true);
        }
    }
}
