using System.Diagnostics;
using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Index;
using VideoStreams.Storage.Streams;
using static VideoStreams.Benchmarks.Store.StoreBench;

namespace VideoStreams.Benchmarks.Store;

/// <summary>
/// Index look-ups over <c>--rows</c> (10 M) indexed fragments: <c>--streams</c> (100) streams of one-second fragments
/// (27.8 hours each at 10 M), a one-minute hole every hour, interleaved across streams in time order as ingestion would
/// commit them. The database is built once through <see cref="StorageIndex.Commit"/> in big batches (not through the
/// store: that would take hours) and cached in artifacts/bench. Each query kind runs <c>--queries</c> (2,000) times at
/// random streams and times after 200 warm-up queries, each one timed alone; then a cold pass after dropping the
/// database from the page cache.
/// </summary>
internal static class IndexScenario
{
    private const long Epoch = 1_700_000_000_000;
    private const long Hour = 3_600_000;
    private const long Day = 24 * Hour;
    private const int BatchSteps = 500;
    private const int FragmentsPerChunk = 1000;
    private const int RecordLength = 250_100;
    private const string BuiltKey = "bench.rows";

    public static void Run(StoreBenchArgs args)
    {
        var rows = args.Long("rows", 10_000_000);
        var streamCount = args.Int("streams", 100);
        var queries = args.Int("queries", 2000);
        var perStream = rows / streamCount;
        var path = Path.Combine(args.String("cache", BenchInput.CacheFolder), $"index-{rows / 1e6:0.#}m-{streamCount}s", "index.db");
        Build(path, streamCount, perStream);
        Console.WriteLine(Invariant($"// {path}: {new FileInfo(path).Length / 1e9:0.00} GB; {streamCount} streams × {perStream:N0} one-second fragments ({perStream / 3600.0:0.0} h each)"));

        var random = new Random(42);
        var span = (perStream * 1000) + (perStream / 3600 * 60_000); // each stream's time span, holes included
        using (var index = new StorageIndex(path))
        {
            Console.WriteLine(Invariant($"// {index.CountFragments():N0} fragments indexed"));
            Console.WriteLine("| query (warm: database in the page cache) | p50 ms | p99 ms | max ms | target |");
            Console.WriteLine("| --- | ---: | ---: | ---: | --- |");
            RunQueries(index, random, streamCount, span, queries, warmup: 200);
        }

        // Cold: the database file dropped from the page cache, reopened, and the first queries timed.
        DropFromPageCache(path);
        using (var index = new StorageIndex(path))
        {
            Console.WriteLine();
            Console.WriteLine("| query (cold: database dropped from the page cache first) | p50 ms | p99 ms | max ms | target |");
            Console.WriteLine("| --- | ---: | ---: | ---: | --- |");
            RunQueries(index, random, streamCount, span, Math.Min(200, queries), warmup: 0);
        }
    }

    private static void RunQueries(StorageIndex index, Random random, int streamCount, long span, int queries, int warmup)
    {
        long Stream() => random.Next(1, streamCount + 1);
        long Start(long length) => Epoch + random.NextInt64(0, Math.Max(1, span - length));
        int Gaps(long minGapMs)
        {
            var from = Start(Day);
            return index.Gaps(Stream(), TimestampKind.Producer, from, from + Day, minGapMs).Count;
        }

        FragmentCursor? cursor = null;
        long cursorStream = 0, cursorFrom = 0;
        var kinds = new (string Name, string Target, Func<int> Query)[]
        {
            ("a page of 1,000 by producer time (2 h range)", "p99 ≤ 5 ms", () =>
            {
                var from = Start(2 * Hour);
                return index.ListByTime(Stream(), TimestampKind.Producer, from, from + (2 * Hour), 1000).Fragments.Count;
            }),
            ("a page of 1,000 by server time, newest first", "p99 ≤ 5 ms", () =>
            {
                var to = Start(2 * Hour) + (2 * Hour);
                return index.ListByTime(Stream(), TimestampKind.Server, to - (2 * Hour), to, 1000, descending: true).Fragments.Count;
            }),
            ("the next page of 1,000 (cursor)", "p99 ≤ 5 ms", () =>
            {
                if (cursor is null)
                {
                    (cursorStream, cursorFrom) = (Stream(), Start(4 * Hour));
                }

                var page = index.ListByTime(cursorStream, TimestampKind.Producer, cursorFrom, cursorFrom + (4 * Hour), 1000, cursor);
                cursor = page.Next;
                return page.Fragments.Count;
            }),
            ("extent (first and last, producer time)", "≤ 10 ms", () => index.Extent(Stream(), TimestampKind.Producer) is null ? 0 : 1),
            ("extent (server time)", "≤ 10 ms", () => index.Extent(Stream(), TimestampKind.Server) is null ? 0 : 1),
            ("gaps over a day (> 1 s, from coverage runs)", "≤ 10 ms", () => Gaps(1000)),
            ("gaps over a day (> 10 ms: below the tolerance, scans fragments)", "(for reference)", () => Gaps(10)),
            ("fragment by number", "", () => index.GetFragment(random.NextInt64(1, (span / 1000 * streamCount) - 1)) is null ? 0 : 1),
        };

        foreach (var (name, target, query) in kinds)
        {
            var times = new Latencies(queries);
            var results = 0L;
            for (var i = -warmup; i < queries; i++)
            {
                var start = Stopwatch.GetTimestamp();
                var result = query();
                var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (i >= 0)
                {
                    times.Add(ms);
                    results += result;
                }
            }

            Console.WriteLine(Invariant($"| {name} | {Latencies.Format(times.Percentile(50))} | **{Latencies.Format(times.Percentile(99))}** | {Latencies.Format(times.Max)} | {target} (avg result {results / (double)queries:0.#}) |"));
        }
    }

    private static void Build(string path, int streamCount, long perStream)
    {
        if (File.Exists(path))
        {
            using var existing = new StorageIndex(path);
            if (existing.GetMeta(BuiltKey) == perStream * streamCount)
            {
                Console.WriteLine(Invariant($"// cached index (built in {existing.GetMeta("bench.build_ms") / 1000.0:0} s)"));
                return;
            }
        }

        var folder = FreshFolder(Path.GetDirectoryName(path)!);
        Console.WriteLine(Invariant($"// building {path} ({perStream * streamCount:N0} fragments; one time)..."));
        var clock = Stopwatch.StartNew();
        using var index = new StorageIndex(path);
        for (var s = 1; s <= streamCount; s++)
        {
            index.PutStream(new StreamRecord
            {
                Id = s,
                Name = $"camera-{s:D4}",
                Arn = $"arn:aws:kinesisvideo:us-east-1:123456789012:stream/camera-{s:D4}/{Epoch + s}",
                KmsKeyId = StreamCatalog.DefaultKmsKeyId,
                DataRetentionInHours = 720,
                Version = $"v{s}",
                CreationTime = DateTimeOffset.FromUnixTimeMilliseconds(Epoch + s),
            });
        }

        var batch = new FragmentEntry[BatchSteps * streamCount];
        var chunks = new List<ChunkEntry>();
        long number = 1;
        for (long step = 0; step < perStream; step += BatchSteps)
        {
            var n = 0;
            chunks.Clear();
            for (var k = step; k < Math.Min(perStream, step + BatchSteps); k++)
            {
                var producer = Epoch + (k * 1000) + (k / 3600 * 60_000); // a one-minute hole after every hour
                for (var s = 1; s <= streamCount; s++, number++)
                {
                    var chunk = 1 + ((number - 1) / FragmentsPerChunk);
                    var offset = 64 + ((number - 1) % FragmentsPerChunk * RecordLength);
                    batch[n++] = new FragmentEntry(number, s, producer, producer + 180, 1000, RecordLength - 100, chunk, offset, RecordLength,
                        FragmentFlags.StartsWithKeyframe | FragmentFlags.HasVideo | FragmentFlags.HasAudio);
                    if (chunks.Count == 0 || chunks[^1].Id != chunk)
                    {
                        chunks.Add(new ChunkEntry(chunk, "h720", offset + RecordLength, producer + 180, false));
                    }
                    else
                    {
                        chunks[^1] = chunks[^1] with { IndexedEnd = offset + RecordLength, NewestServerTimestampMs = producer + 180 };
                    }
                }
            }

            index.Commit(batch.AsSpan(0, n), chunks.ToArray());
            if (step / BatchSteps % 20 == 0)
            {
                Console.WriteLine(Invariant($"//   {number - 1:N0} rows, {clock.Elapsed.TotalSeconds:0} s"));
            }
        }

        index.Commit([], [], [new(BuiltKey, perStream * streamCount), new("bench.build_ms", clock.ElapsedMilliseconds)]);
        Console.WriteLine(Invariant($"// built {number - 1:N0} rows in {clock.Elapsed.TotalSeconds:0} s ({(number - 1) / clock.Elapsed.TotalSeconds:N0} rows/s); {new FileInfo(path).Length / 1e9:0.00} GB"));
        _ = folder;
    }
}
