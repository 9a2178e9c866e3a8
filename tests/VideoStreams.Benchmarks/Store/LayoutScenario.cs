using System.Diagnostics;
using VideoStreams.Storage.Files;
using static VideoStreams.Benchmarks.Store.StoreBench;

namespace VideoStreams.Benchmarks.Store;

/// <summary>
/// The layout decision of docs/STORAGE.md, measured: one commit window in which N streams each wrote one fragment
/// (<c>--kb</c> 250), made durable by
/// <list type="bullet">
/// <item>a shared log: N appends to one file, one fdatasync;</item>
/// <item>a file per stream: one append to each of N files, N fdatasyncs one after the other;</item>
/// <item>a file per stream, synced in parallel: the same, the fdatasyncs from <c>--threads</c> (16) threads;</item>
/// <item>per-stream files plus a shared journal: the fragment to its own file (not synced) and to a journal (one
/// fdatasync). A commit costs one sync, but every byte is written twice: the per-stream files are written back later,
/// so its sustained cost shows only when that writeback is counted (the last column).</item>
/// </list>
/// For N in <c>--sizes</c> (10,100,1000), <c>--reps</c> commits each (more for small N), the variants interleaved.
/// Uses the store's own file layer (PhysicalFileSystem: pwrite, fdatasync).
/// </summary>
internal static class LayoutScenario
{
    private enum Variant
    {
        SharedLog,
        FilePerStream,
        FilePerStreamParallel,
        FilesPlusJournal,
    }

    public static void Run(StoreBenchArgs args)
    {
        var sizes = args.String("sizes", "10,100,1000").Split(',').Select(int.Parse).ToArray();
        var fragment = new byte[args.Int("kb", 250) * 1000];
        var threads = args.Int("threads", 16);
        new Random(3).NextBytes(fragment);
        Console.WriteLine(Invariant($"// one commit window: N fragments of {fragment.Length} B; times per commit"));
        Console.WriteLine("| N streams | layout | syncs per commit | sync phase p50 / max ms | write + sync p50 ms | MB/s per commit | MB/s with deferred writeback |");
        Console.WriteLine("| ---: | --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var n in sizes)
        {
            var reps = args.Int("reps", n >= 1000 ? 5 : n >= 100 ? 10 : 30);
            var root = FreshFolder(Path.Combine(args.Data, "layout"));
            var files = new PhysicalFileSystem(root);
            var results = Enum.GetValues<Variant>().ToDictionary(v => v, _ => (Sync: new Latencies(), Total: new Latencies(), Writeback: TimeSpan.Zero));
            var sets = Enum.GetValues<Variant>().ToDictionary(v => v, v => Open(files, v, n));
            ThroughputScenario.Sync();
            for (var rep = -1; rep < reps; rep++)
            {
                foreach (var variant in Enum.GetValues<Variant>())
                {
                    var (sync, total) = Commit(sets[variant], variant, fragment, threads);
                    if (rep >= 0)
                    {
                        // The first round warms up (page cache, extent allocation of the first writes).
                        results[variant].Sync.Add(sync);
                        results[variant].Total.Add(total);
                    }
                }
            }

            foreach (var variant in Enum.GetValues<Variant>())
            {
                // What was left for the kernel to write back (only the journal variant's own files): counted once here.
                var clock = Stopwatch.StartNew();
                foreach (var file in sets[variant].Streams)
                {
                    file.Sync();
                }

                var writeback = variant == Variant.FilesPlusJournal ? clock.Elapsed.TotalMilliseconds : 0;
                var (syncs, totals, _) = results[variant];
                var bytes = (double)n * fragment.Length;
                var perCommit = bytes / 1e3 / totals.Percentile(50);
                var sustained = bytes * (reps + 1) / 1e3 / ((totals.Mean * (reps + 1)) + writeback);
                Console.WriteLine(Invariant($"| {n} | {Name(variant)} | {SyncsPerCommit(variant, n)} | {Latencies.Format(syncs.Percentile(50))} / {Latencies.Format(syncs.Max)} | {Latencies.Format(totals.Percentile(50))} | {perCommit:0} | {sustained:0} |"));
                foreach (var file in sets[variant].All)
                {
                    file.Dispose();
                }
            }

            Directory.Delete(root, recursive: true);
        }
    }

    private static string Name(Variant variant) => variant switch
    {
        Variant.SharedLog => "**one shared log**",
        Variant.FilePerStream => "a file per stream",
        Variant.FilePerStreamParallel => "a file per stream, parallel syncs",
        _ => "per-stream files + shared journal",
    };

    private static int SyncsPerCommit(Variant variant, int n) => variant is Variant.SharedLog or Variant.FilesPlusJournal ? 1 : n;

    /// <summary>The files of one variant: the shared log (or journal), the per-stream files, and where each ends.</summary>
    private sealed class FileSet(int n, IStorageFile? log, IStorageFile[] streams)
    {
        public int N { get; } = n;

        public IStorageFile? Log { get; } = log;

        public IStorageFile[] Streams { get; } = streams;

        public long[] Tails { get; } = new long[streams.Length];

        public long LogTail { get; set; }

        public IEnumerable<IStorageFile> All => Log is null ? Streams : Streams.Append(Log);
    }

    private static FileSet Open(PhysicalFileSystem files, Variant variant, int n)
    {
        var folder = variant.ToString();
        files.CreateDirectory(folder);
        var log = variant is Variant.SharedLog or Variant.FilesPlusJournal ? files.Create($"{folder}/shared.log") : null;
        var streams = variant == Variant.SharedLog ? [] : Enumerable.Range(0, n).Select(i => files.Create($"{folder}/stream-{i:D4}.log")).ToArray();
        files.SyncDirectory(folder);
        return new FileSet(n, log, streams);
    }

    /// <summary>One commit: write the window's fragments, then make them durable. Returns (sync phase, whole commit) in ms.</summary>
    private static (double Sync, double Total) Commit(FileSet set, Variant variant, byte[] fragment, int threads)
    {
        var start = Stopwatch.GetTimestamp();
        if (variant == Variant.SharedLog)
        {
            // The shared log takes every stream's fragment (the window's N is the log's batch size).
            for (var i = 0; i < set.N; i++)
            {
                set.Log!.Write(fragment, set.LogTail);
                set.LogTail += fragment.Length;
            }
        }
        else
        {
            for (var i = 0; i < set.N; i++)
            {
                set.Streams[i].Write(fragment, set.Tails[i]);
                set.Tails[i] += fragment.Length;
                if (variant == Variant.FilesPlusJournal)
                {
                    set.Log!.Write(fragment, set.LogTail);
                    set.LogTail += fragment.Length;
                }
            }
        }

        var syncStart = Stopwatch.GetTimestamp();
        switch (variant)
        {
            case Variant.SharedLog or Variant.FilesPlusJournal:
                set.Log!.Sync();
                break;
            case Variant.FilePerStream:
                foreach (var file in set.Streams)
                {
                    file.Sync();
                }

                break;
            case Variant.FilePerStreamParallel:
                Parallel.ForEach(set.Streams, new ParallelOptions { MaxDegreeOfParallelism = threads }, file => file.Sync());
                break;
        }

        var end = Stopwatch.GetTimestamp();
        return (Stopwatch.GetElapsedTime(syncStart, end).TotalMilliseconds, Stopwatch.GetElapsedTime(start, end).TotalMilliseconds);
    }
}
