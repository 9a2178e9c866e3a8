using System.Collections.Concurrent;
using System.Diagnostics;
using VideoStreams.Benchmarks.Store;
using static VideoStreams.Benchmarks.Store.StoreBench;

namespace VideoStreams.Benchmarks.Ingest;

/// <summary>
/// (b) <c>--streams</c> N cameras at <c>--mbps</c> (2) Mbit/s with <c>--cluster-ms</c> (1,000) fragments, paced in real
/// time: each cluster is <c>--fps</c> (30) frames, a keyframe first; frame j of a cluster is written when a camera
/// would have it (j/fps s into the cluster), one HTTP chunk per frame, one connection per stream (raw sockets, see
/// <see cref="PutMediaConnection"/>). Stream i's clusters start i/N of a cluster interval after stream 0's, so cluster
/// ends are spread evenly. One scheduler thread writes every frame when it is due. Measured over <c>--seconds</c> (30)
/// after <c>--warmup</c> (5): fragment end (the moment the send of the cluster's last frame returned) → RECEIVED and
/// → PERSISTED ack received; ERROR acks; the server's CPU and memory (VmRSS, VmHWM) and the generator's CPU; how late
/// the generator wrote each cluster's last frame. (c) <c>--readers K</c>: a GetMedia (NOW) reader on the first K
/// streams, and the time from the PERSISTED ack to the reader holding the fragment's cluster (same process, one clock).
/// </summary>
internal static class LiveStreamsScenario
{
    public static async Task RunAsync(StoreBenchArgs args)
    {
        var count = args.Int("streams", 100);
        var mbps = args.Double("mbps", 2);
        var fps = args.Int("fps", 30);
        var clusterMs = args.Int("cluster-ms", 1000);
        var seconds = args.Int("seconds", 30);
        var warmup = args.Int("warmup", 5);
        var readerCount = Math.Min(count, args.Int("readers", 0));
        var clusterBytes = (int)(mbps * 1e6 / 8 * clusterMs / 1000);
        var camera = new SyntheticCamera(clusterBytes, fps, clusterMs, seed: 3);
        var clustersPerStream = (warmup + seconds) * 1000 / clusterMs;
        var warmupClusters = warmup * 1000 / clusterMs;
        var data = FreshFolder(Path.Combine(IngestBench.DataRoot(args), "server"));
        var settings = OneStreamScenario.ServerSettings(args);
        var run = new Run(count, clustersPerStream, clusterMs, readerCount);

        await using var server = await ServerProcess.StartAsync(args.String("server", ServerProcess.DefaultDll), data, settings);
        var names = Enumerable.Range(0, count).Select(i => $"camera-{i:D4}").ToArray();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (name, _) => await server.CreateStreamAsync(name));
        Limits.Sync();
        var maxPayload = 64 + camera.Blocks.Max(b => b.Length) + camera.Header.Length;
        var connections = new PutMediaConnection[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            var connection = await PutMediaConnection.OpenAsync(server.EndPoint, names[i], 1_700_000_000_000, maxPayload, run, i, keepNumbers: i < readerCount);
            camera.Header.CopyTo(connection.Payload);
            await connection.SendChunkAsync(camera.Header.Length);
            connections[i] = connection;
        });
        var readers = new GetMediaReader[readerCount];
        for (var i = 0; i < readerCount; i++)
        {
            readers[i] = await GetMediaReader.OpenAsync(server.EndPoint, names[i], i, run);
        }

        Console.WriteLine(Invariant($"// {count} streams × {mbps} Mbit/s: {camera.ClusterLength(0)} B clusters of {fps} frames (keyframe {camera.Blocks[0].Length} B) every {clusterMs} ms, one chunk per frame; {readerCount} GetMedia readers; {seconds} s measured after {warmup} s; server pid {server.Pid}, settings {string.Join(", ", settings.Select(s => s.Key + "=" + s.Value))}"));
        var ticksPerCluster = Stopwatch.Frequency * clusterMs / 1000.0;
        var origin = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 2);
        // A thread of its own: the window's CPU and memory are read on time even when the thread pool is busy.
        Monitored? monitored = null;
        var monitor = new Thread(() => monitored = Monitor(server, origin + (long)(warmup * (double)Stopwatch.Frequency), origin + (long)((warmup + seconds) * (double)Stopwatch.Frequency)))
        { Name = "monitor" };
        monitor.Start();
        var scheduler = new Scheduler(camera, connections, run, origin, ticksPerCluster, clustersPerStream * fps);
        var thread = new Thread(scheduler.Run) { Name = "scheduler", Priority = ThreadPriority.AboveNormal };
        thread.Start();
        thread.Join();
        monitor.Join();

        // A connection whose earlier send is still pending (the server is not reading it) gets no end: it is closed below.
        using (var endTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            foreach (var connection in connections.Where((_, i) => !scheduler.IsBusy(i)))
            {
                try
                {
                    await connection.SendEndAsync(endTimeout.Token);
                }
                catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
                {
                    // The server already closed it, or is not reading it: its acks say what was PERSISTED.
                }
            }
        }

        var ended = Task.WhenAll(connections.Select(c => c.Receiving));
        await Task.WhenAny(ended, Task.Delay(TimeSpan.FromSeconds(60)));
        foreach (var connection in connections)
        {
            connection.Dispose();
        }

        // A reader may get the last fragments a moment after their PERSISTED acks: give it that moment.
        var readersDone = Stopwatch.StartNew();
        while (readersDone.Elapsed < TimeSpan.FromSeconds(5)
            && Enumerable.Range(0, readerCount).Any(i => run.PersistedNumbers[i].Keys.Any(n => !run.ReadNumbers[i].ContainsKey(n))))
        {
            await Task.Delay(50);
        }

        foreach (var reader in readers)
        {
            reader.Dispose();
        }

        Report(run, scheduler, monitored!, count, clusterMs, warmupClusters, seconds, fps);
        await server.DisposeAsync();
        foreach (var line in server.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.Contains("info:", StringComparison.Ordinal)).Take(20))
        {
            Console.WriteLine($"// server log: {line}");
        }

        Directory.Delete(data, recursive: true);
    }

    private sealed record Monitored(double ServerCpu, double GeneratorCpu, double MaxRssMb, double PeakMb, double RssAtStartMb, string PersistHistogram, double Seconds);

    private static Monitored Monitor(ServerProcess server, long windowStart, long windowEnd)
    {
        while (Stopwatch.GetTimestamp() < windowStart)
        {
            Thread.Sleep(10);
        }

        // CPU first, the /metrics scrape after: at 1,000 streams a scrape takes a while on a busy server.
        var serverCpu = server.Cpu();
        var generatorCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        var (rssAtStart, _) = server.Memory();
        var histogram = server.PersistHistogramAsync().GetAwaiter().GetResult();
        double maxRss = 0;
        while (Stopwatch.GetTimestamp() < windowEnd)
        {
            maxRss = Math.Max(maxRss, server.Memory().RssMb);
            Thread.Sleep(500);
        }

        var wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var (rss, peak) = server.Memory();
        var cpu = (server.Cpu() - serverCpu).TotalSeconds / wall;
        var generator = (Process.GetCurrentProcess().TotalProcessorTime - generatorCpu).TotalSeconds / wall;
        var persist = ServerProcess.DescribeHistogram(histogram, server.PersistHistogramAsync().GetAwaiter().GetResult());
        return new Monitored(cpu, generator, Math.Max(maxRss, rss), peak, rssAtStart, persist, wall);
    }

    private static void Report(Run run, Scheduler scheduler, Monitored monitored, int count, int clusterMs, int warmupClusters, int seconds, int fps)
    {
        var persisted = new Latencies(count * seconds);
        var received = new Latencies(count * seconds);
        int measured = 0, missing = 0;
        for (var i = 0; i < count; i++)
        {
            for (var k = warmupClusters; k < run.Clusters; k++)
            {
                measured++;
                var end = run.EndTicks[i][k];
                if (run.PersistedTicks[i][k] == 0 || end == 0)
                {
                    missing++;
                    continue;
                }

                persisted.Add(Stopwatch.GetElapsedTime(end, run.PersistedTicks[i][k]).TotalMilliseconds);
                if (run.ReceivedTicks[i][k] != 0)
                {
                    received.Add(Stopwatch.GetElapsedTime(end, run.ReceivedTicks[i][k]).TotalMilliseconds);
                }
            }
        }

        var errors = run.ErrorIds.IsEmpty ? "0" : $"**{run.ErrorIds.Values.Sum()}** ({string.Join(", ", run.ErrorIds.Select(e => $"{e.Key}×{e.Value}"))})";
        var ok = persisted.Percentile(99) <= 100 && run.ErrorIds.IsEmpty && missing == 0;
        Console.WriteLine();
        Console.WriteLine("| streams | fragments/s offered | fragments measured | ERROR acks | not PERSISTED | fragment end → RECEIVED p50 / p99 ms | **fragment end → PERSISTED p50 / p99 / max ms** | server CPU (of 200 %) | generator CPU | server VmRSS max / VmHWM MB | last frame written late p99 / max ms | p99 ≤ 100 ms, no errors |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        Console.WriteLine(Invariant($"| {count} | {count * 1000.0 / clusterMs:0} | {measured} | {errors} | {missing} | {Latencies.Format(received.Percentile(50))} / {Latencies.Format(received.Percentile(99))} | **{persisted.Summary()}** | {monitored.ServerCpu:P0} | {monitored.GeneratorCpu:P0} | {monitored.MaxRssMb:0} / {monitored.PeakMb:0} | {Latencies.Format(scheduler.Late.Percentile(99))} / {Latencies.Format(scheduler.Late.Max)} | {(ok ? "yes" : "**no**")} |"));
        Console.WriteLine(Invariant($"// frames sent: {scheduler.FramesSent}; sends that did not complete at once (socket full: the server was not reading): {scheduler.PendingSends}; frames delayed by a pending send: {scheduler.Deferred}; sends failed: {scheduler.Failed} {scheduler.LastFailure}; server RSS when the window opened {monitored.RssAtStartMb:0} MB; latency p90 {Latencies.Format(persisted.Percentile(90))} ms, p99.9 {Latencies.Format(persisted.Percentile(99.9))} ms"));
        Console.WriteLine(Invariant($"// CPU and memory over {monitored.Seconds:0.0} s; PutMedia responses not ended 60 s after the last frame: {count - run.Ended.Count}"));
        Console.WriteLine($"// the server's own append→PERSISTED (its /metrics histogram, over the window): {monitored.PersistHistogram}");
        if (run.Ended.Count(e => e.Value.Status != 200 || e.Value.Problem is not null) is > 0 and var bad)
        {
            Console.WriteLine($"// {bad} PutMedia responses ended badly, e.g. {run.Ended.First(e => e.Value.Status != 200 || e.Value.Problem is not null)}");
        }

        if (run.Readers > 0)
        {
            var reader = new Latencies(run.Readers * seconds);
            var fromEnd = new Latencies(run.Readers * seconds);
            var unread = 0;
            for (var i = 0; i < run.Readers; i++)
            {
                foreach (var (number, (k, persistedAt)) in run.PersistedNumbers[i])
                {
                    if (k < warmupClusters)
                    {
                        continue;
                    }

                    if (!run.ReadNumbers[i].TryGetValue(number, out var readAt))
                    {
                        unread++;
                        continue;
                    }

                    reader.Add(Stopwatch.GetElapsedTime(persistedAt, readAt).TotalMilliseconds);
                    fromEnd.Add(Stopwatch.GetElapsedTime(run.EndTicks[i][k], readAt).TotalMilliseconds);
                }
            }

            Console.WriteLine();
            Console.WriteLine("| GetMedia readers | fragments | not read | **PERSISTED ack → reader has the cluster p50 / p99 / max ms** | fragment end → reader p50 / p99 / max ms | p99 ≤ 50 ms |");
            Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | --- |");
            Console.WriteLine(Invariant($"| {run.Readers} | {reader.Count} | {unread} | **{reader.Summary()}** | {fromEnd.Summary()} | {(reader.Percentile(99) <= 50 && unread == 0 ? "yes" : "**no**")} |"));
            Console.WriteLine(Invariant($"// negative values: the reader had the fragment before its PERSISTED ack line was read ({reader.Percentile(0.1):0.00} ms at p0.1); readers that ended early: {run.ReaderEnds.Count(e => !e.Value.StartsWith("200", StringComparison.Ordinal))}"));
        }
    }

    /// <summary>What came back: ack and read times per stream and cluster.</summary>
    private sealed class Run : IAckSink, IFragmentSink
    {
        private readonly int _clusterMs;

        public Run(int count, int clusters, int clusterMs, int readers)
        {
            _clusterMs = clusterMs;
            Clusters = clusters;
            Readers = readers;
            EndTicks = NewTable(count, clusters);
            ReceivedTicks = NewTable(count, clusters);
            PersistedTicks = NewTable(count, clusters);
            PersistedNumbers = Enumerable.Range(0, readers).Select(_ => new ConcurrentDictionary<string, (long, long)>()).ToArray();
            ReadNumbers = Enumerable.Range(0, readers).Select(_ => new ConcurrentDictionary<string, long>()).ToArray();
        }

        public int Clusters { get; }

        public int Readers { get; }

        public long[][] EndTicks { get; }

        public long[][] ReceivedTicks { get; }

        public long[][] PersistedTicks { get; }

        public ConcurrentDictionary<string, (long Cluster, long Ticks)>[] PersistedNumbers { get; }

        public ConcurrentDictionary<string, long>[] ReadNumbers { get; }

        public ConcurrentDictionary<int, int> ErrorIds { get; } = new();

        public ConcurrentDictionary<int, (int Status, string? Problem)> Ended { get; } = new();

        public ConcurrentDictionary<int, string> ReaderEnds { get; } = new();

        public void OnAck(int stream, in Ack ack)
        {
            var k = ack.Timecode / _clusterMs;
            switch (ack.Type)
            {
                case AckType.Persisted when k >= 0 && k < Clusters:
                    PersistedTicks[stream][k] = ack.ReceivedTicks;
                    if (ack.FragmentNumber is { } number && stream < Readers)
                    {
                        PersistedNumbers[stream][number] = (k, ack.ReceivedTicks);
                    }

                    break;
                case AckType.Received when k >= 0 && k < Clusters:
                    ReceivedTicks[stream][k] = ack.ReceivedTicks;
                    break;
                case AckType.Error:
                    ErrorIds.AddOrUpdate(ack.ErrorId, 1, (_, n) => n + 1);
                    break;
                default:
                    break;
            }
        }

        public void OnEnded(int stream, int status, string? problem) => Ended[stream] = (status, problem);

        public void OnFragment(int stream, string fragmentNumber, long receivedTicks) => ReadNumbers[stream].TryAdd(fragmentNumber, receivedTicks);

        public void OnReaderEnded(int stream, int status, string? problem) => ReaderEnds[stream] = $"{status} {problem}";

        private static long[][] NewTable(int count, int clusters) => Enumerable.Range(0, count).Select(_ => new long[clusters]).ToArray();
    }

    /// <summary>
    /// Writes every frame of every stream when it is due, from one thread: a priority queue of streams by their next
    /// frame's due time, Thread.Sleep(1) while nothing is due (sleeping, not spinning, leaves the cores to the server).
    /// A frame whose stream still has a send pending (the server is not reading that connection) waits for it.
    /// </summary>
    private sealed class Scheduler(SyntheticCamera camera, PutMediaConnection[] connections, Run run, long origin, double ticksPerCluster, int framesPerStream)
    {
        private readonly int[] _busy = new int[connections.Length];
        private readonly int[] _next = new int[connections.Length];

        public Latencies Late { get; } = new(connections.Length * 64);

        public long FramesSent { get; private set; }

        public long PendingSends { get; private set; }

        public long Deferred { get; private set; }

        public long Failed { get; private set; }

        public bool IsBusy(int stream) => Volatile.Read(ref _busy[stream]) != 0;

        public string? LastFailure { get; private set; }

        public void Run()
        {
            var fps = camera.Fps;
            var queue = new PriorityQueue<int, long>(connections.Length);
            for (var i = 0; i < connections.Length; i++)
            {
                queue.Enqueue(i, Due(i, 0));
            }

            while (queue.TryPeek(out var i, out var due))
            {
                var now = Stopwatch.GetTimestamp();
                if (due > now)
                {
                    Thread.Sleep(1);
                    continue;
                }

                queue.Dequeue();
                if (Volatile.Read(ref _busy[i]) != 0)
                {
                    if (now - Due(i, _next[i]) > Stopwatch.Frequency * 10)
                    {
                        // Ten seconds without the server reading this connection: give the stream up (its fragments
                        // count as not PERSISTED), so that one stuck connection does not hold the run.
                        Failed++;
                        LastFailure = Invariant($"stream {i}: the server stopped reading it (frame {_next[i]})");
                        continue;
                    }

                    Deferred++;
                    queue.Enqueue(i, now + (Stopwatch.Frequency / 2000));
                    continue;
                }

                var f = _next[i];
                var j = f % fps;
                var k = f / fps;
                if (j == fps - 1)
                {
                    Late.Add((now - Due(i, f)) * 1000.0 / Stopwatch.Frequency);
                }

                var connection = connections[i];
                var payload = connection.Payload;
                var length = j == 0 ? camera.WriteClusterHeader(k, payload) : 0;
                camera.Blocks[j].CopyTo(payload[length..]);
                length += camera.Blocks[j].Length;
                try
                {
                    var send = connection.SendChunkAsync(length);
                    FramesSent++;
                    if (send.IsCompleted)
                    {
                        send.GetAwaiter().GetResult(); // releases the socket's awaitable; throws what the send failed with
                        Written(i, f);
                    }
                    else
                    {
                        PendingSends++;
                        Volatile.Write(ref _busy[i], 1);
                        _ = CompleteAsync(send, i, f);
                    }
                }
                catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
                {
                    // The server closed this stream's connection: it gets no more frames (its fragments show as not PERSISTED).
                    Failed++;
                    LastFailure = Invariant($"stream {i} frame {f} at {Stopwatch.GetElapsedTime(origin).TotalSeconds:0.0} s: {e.Message}");
                    continue;
                }

                _next[i] = f + 1;
                if (f + 1 < framesPerStream)
                {
                    queue.Enqueue(i, Due(i, f + 1));
                }
            }
        }

        // Stream i's clusters start i/N of a cluster interval after stream 0's; frame j at j/fps into its cluster.
        private long Due(int i, int f) =>
            origin + (long)((i * ticksPerCluster / connections.Length) + (f / camera.Fps * ticksPerCluster) + (f % camera.Fps * ticksPerCluster / camera.Fps));

        private void Written(int i, int f)
        {
            if (f % camera.Fps == camera.Fps - 1)
            {
                run.EndTicks[i][f / camera.Fps] = Stopwatch.GetTimestamp();
            }
        }

        private async Task CompleteAsync(ValueTask<int> send, int i, int f)
        {
            try
            {
                await send;
                Written(i, f);
                Volatile.Write(ref _busy[i], 0);
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                LastFailure = e.Message; // the stream stays busy: no more frames for it
            }
        }
    }
}
