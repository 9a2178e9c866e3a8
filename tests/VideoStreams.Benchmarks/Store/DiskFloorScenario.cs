using System.Diagnostics;
using VideoStreams.Storage.Files;
using static VideoStreams.Benchmarks.Store.StoreBench;

namespace VideoStreams.Benchmarks.Store;

/// <summary>
/// The disk's own latency floor for the <c>streams</c> load, without the store: the same arrivals (<c>--streams</c>
/// × <c>--mbps</c>, one fragment per stream every <c>--fragment-ms</c>, spread evenly), each fragment written to the
/// end of one file through the store's file layer (pwrite + early writeback), and a thread that fdatasyncs that file
/// back to back, as fast as the disk answers: the least possible append→durable latency of any design that makes
/// every fragment durable with one shared file's sync (no index, no batching window, no bookkeeping). Run next to
/// <c>streams</c> so that the store's p99 is judged against what this disk did in the same minutes.
/// </summary>
internal static class DiskFloorScenario
{
    public static void Run(StoreBenchArgs args)
    {
        var streamCount = args.Int("streams", 1000);
        var mbps = args.Double("mbps", 2);
        var fragmentMs = args.Int("fragment-ms", 1000);
        var seconds = args.Int("seconds", 30);
        var warmup = args.Int("warmup", 5);
        var fragmentBytes = (int)(mbps * 1e6 / 8 * fragmentMs / 1000);
        var folder = FreshFolder(Path.Combine(args.Data, "floor"));
        ThroughputScenario.Sync();
        var files = new PhysicalFileSystem(folder);
        using var file = files.Create("floor.bin");
        files.SyncDirectory(".");
        var media = new byte[fragmentBytes];
        new Random(5).NextBytes(media);

        var total = streamCount * (warmup + seconds) * 1000 / fragmentMs;
        var measuredFirst = streamCount * warmup * 1000 / fragmentMs;
        var intervalTicks = Stopwatch.Frequency * fragmentMs / 1000.0 / streamCount;
        var arrived = new long[total];
        var durable = new long[total];
        long written = 0;
        long syncs = 0;
        var origin = Stopwatch.GetTimestamp();
        var writer = new Thread(() =>
        {
            for (var g = 0; g < total; g++)
            {
                var due = origin + (long)(g * intervalTicks);
                while (Stopwatch.GetTimestamp() < due)
                {
                    Thread.Sleep(1);
                }

                arrived[g] = Stopwatch.GetTimestamp();
                file.Write(media, (long)g * fragmentBytes);
                Volatile.Write(ref written, g + 1);
            }
        })
        { Name = "floor writer", Priority = ThreadPriority.AboveNormal };
        writer.Start();

        long syncsAtStart = -1;
        long done = 0;
        while (done < total)
        {
            var upTo = Volatile.Read(ref written);
            if (upTo == done)
            {
                Thread.Sleep(0);
                continue;
            }

            file.Sync();
            syncs++;
            var now = Stopwatch.GetTimestamp();
            for (var g = done; g < upTo; g++)
            {
                durable[g] = now;
            }

            if (syncsAtStart < 0 && upTo > measuredFirst)
            {
                syncsAtStart = syncs;
            }

            done = upTo;
        }

        writer.Join();
        var window = Stopwatch.GetElapsedTime(arrived[measuredFirst], durable[total - 1]).TotalSeconds;
        var latency = new Latencies(total);
        for (var g = measuredFirst; g < total; g++)
        {
            latency.Add(Stopwatch.GetElapsedTime(arrived[g], durable[g]).TotalMilliseconds);
        }

        Console.WriteLine(Invariant($"// disk floor: {streamCount} streams × {mbps} Mbit/s, {fragmentBytes} B fragments, one file, fdatasync back to back; {seconds} s measured after {warmup} s"));
        Console.WriteLine("| what | fragments/s | syncs/s | append→durable p50 / p99 / max ms |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        Console.WriteLine(Invariant($"| the disk alone (no store) | {latency.Count / window:0} | {(syncs - syncsAtStart) / window:0} | **{latency.Summary()}** |"));
        file.Dispose();
        Directory.Delete(folder, recursive: true);
    }
}
