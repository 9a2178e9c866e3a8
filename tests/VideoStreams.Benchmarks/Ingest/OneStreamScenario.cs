using System.Diagnostics;
using VideoStreams.Benchmarks.Store;
using static VideoStreams.Benchmarks.Store.StoreBench;

namespace VideoStreams.Benchmarks.Ingest;

/// <summary>
/// (a) One stream, as fast as PutMedia takes it, until every fragment is PERSISTED. The body is a live MKV of
/// <c>--cluster-mb</c> (4) MiB clusters of 30 random "frames", 1 s of timecode apart, <c>--mb</c> (2048, as much as
/// <c>dd bs=1M count=2048</c>) in all, built once and cached in artifacts/bench (and read once before timing, so it
/// comes from the page cache). Each rep, side by side: <c>dd oflag=direct</c> on the server's disk; curl uploading the
/// file to the discard endpoint, and the generator doing the same (its own HTTP path, no product server); the generator sending the file over one raw socket (256 KiB chunks, as fast as the
/// socket takes them) to the product server's /putMedia, MB/s = bytes / (first byte sent → last PERSISTED ack); curl
/// uploading the same file to /putMedia (its time ends with the response, which ends after the last PERSISTED ack).
/// The server's per-stream rate limit is raised (VideoStreams__Ingest__MaxBytesPerSecond) for the run.
/// </summary>
internal static class OneStreamScenario
{
    public static async Task RunAsync(StoreBenchArgs args)
    {
        var megabytes = args.Int("mb", 2048);
        var clusterBytes = (int)(args.Double("cluster-mb", 4) * (1 << 20));
        var reps = args.Int("reps", 3);
        var sendBytes = args.Int("send-kb", 256) << 10;
        var warmupSeconds = args.Int("warmup", 10);
        var camera = new SyntheticCamera(clusterBytes, fps: 30, clusterMs: 1000, seed: 7);
        var clusters = (int)(((long)megabytes << 20) / camera.ClusterLength(0));
        var body = Path.Combine(BenchInput.CacheFolder, $"ingest-{megabytes}MiB-{clusterBytes >> 10}KiB-clusters.mkv");
        var ends = EnsureBody(camera, body, clusters);
        var size = new FileInfo(body).Length;
        WarmPageCache(body);
        var root = IngestBench.DataRoot(args);
        var settings = ServerSettings(args);

        Console.WriteLine(Invariant($"// body {body}: {size / 1e6:0} MB, {clusters} clusters of {camera.ClusterLength(0) / 1e6:0.00} MB (30 frames, 1 s apart); sent in {sendBytes >> 10} KiB chunks, after {warmupSeconds} s of the same to other streams to warm the server up; server settings: {string.Join(", ", settings.Select(s => s.Key + "=" + s.Value))}"));
        Console.WriteLine("| rep | dd oflag=direct MB/s | curl → discard MB/s | generator → discard MB/s | **generator → /putMedia, PERSISTED MB/s** | curl → /putMedia MB/s (to the last ack) | ingest / dd | server CPU (of 200 %) | generator CPU | cluster end → PERSISTED p50 / p99 / max ms |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        await using var discard = await DiscardServer.StartAsync();
        for (var rep = 1; rep <= reps; rep++)
        {
            var data = FreshFolder(Path.Combine(root, "server"));
            var dd = Limits.DdDirect(data);
            var toDiscard = await Limits.CurlUploadAsync(body, discard.Url, []);
            if (toDiscard.ExitCode != 0 || toDiscard.Body.Trim() != size.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                throw new InvalidOperationException($"curl to the discard endpoint failed: exit {toDiscard.ExitCode}, answer {toDiscard.Body}");
            }

            var generatorToDiscard = await DiscardPushAsync(discard.Url, body, sendBytes);
            await using (var server = await ServerProcess.StartAsync(args.String("server", ServerProcess.DefaultDll), data, settings))
            {
                await server.CreateStreamAsync("one-stream");
                // The server's JIT settles in its first ~10 s of load: warm it up on other streams, unmeasured (a new
                // stream each time: the same bytes again to the same stream would be deduplicated resends).
                var warming = Stopwatch.StartNew();
                for (var w = 0; warming.Elapsed.TotalSeconds < warmupSeconds; w++)
                {
                    await server.CreateStreamAsync($"warm-up-{w}");
                    await PushAsync(server, $"warm-up-{w}", body, ends[..Math.Min(ends.Length, 32)], sendBytes);
                }

                await Task.Delay(1000);
                await server.CreateStreamAsync("one-stream-curl");
                Limits.Sync();
                var run = await PushAsync(server, "one-stream", body, ends, sendBytes);

                Limits.Sync();
                var headers = new[] { "x-amzn-stream-name: one-stream-curl", "x-amzn-fragment-timecode-type: RELATIVE", "x-amzn-producer-start-timestamp: 1700000000.000" };
                var curl = await Limits.CurlUploadAsync(body, new Uri($"http://{server.EndPoint}/putMedia"), headers);
                var curlPersisted = curl.Body.Split('\n').Count(l => l.Contains("\"PERSISTED\"", StringComparison.Ordinal));
                var curlNote = curlPersisted == clusters ? "" : Invariant($" ({curlPersisted} of {clusters} PERSISTED!)");
                Console.WriteLine(Invariant($"| {rep} | {dd:0} | {toDiscard.MegabytesPerSecond:0} | {generatorToDiscard:0} | **{run.MegabytesPerSecond:0}**{run.Note} | {size / 1e6 / curl.Seconds:0}{curlNote} | {run.MegabytesPerSecond / dd:P0} | {run.ServerCpu:P0} | {run.GeneratorCpu:P0} | {run.Latency.Summary()} |"));
            }

            Directory.Delete(data, recursive: true);
        }
    }

    public static Dictionary<string, string> ServerSettings(StoreBenchArgs args)
    {
        var settings = new Dictionary<string, string>
        {
            ["VideoStreams__Ingest__MaxBytesPerSecond"] = args.Long("max-bytes-per-second", 100_000_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (args.String("in-flight", "") is { Length: > 0 } inFlight)
        {
            settings["VideoStreams__Ingest__MaxFragmentsInFlight"] = inFlight;
        }

        // --server-env "NAME=VALUE;NAME=VALUE": anything else for the server's environment (runtime knobs, settings).
        foreach (var pair in args.String("server-env", "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            settings[pair[..equals]] = pair[(equals + 1)..];
        }

        return settings;
    }

    private sealed record PushResult(double MegabytesPerSecond, double ServerCpu, double GeneratorCpu, Latencies Latency, string Note);

    /// <summary>Sends the body up to the end of the last cluster in <paramref name="ends"/>; timed to the last PERSISTED ack.</summary>
    private static async Task<PushResult> PushAsync(ServerProcess server, string stream, string body, long[] ends, int sendBytes)
    {
        var acks = new OneStreamAcks(ends.Length);
        using var connection = await PutMediaConnection.OpenAsync(server.EndPoint, stream, 1_700_000_000_000, sendBytes, acks, 0);
        var endTicks = new long[ends.Length];
        using var file = new FileStream(body, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var serverCpu = server.Cpu();
        var generatorCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        long sent = 0;
        var next = 0;
        while (true)
        {
            var read = await file.ReadAsync(connection.PayloadMemory[..(int)Math.Min(sendBytes, ends[^1] - sent)]);
            if (read == 0)
            {
                break;
            }

            await connection.SendChunkAsync(read);
            sent += read;
            var now = Stopwatch.GetTimestamp();
            while (next < ends.Length && ends[next] <= sent)
            {
                endTicks[next++] = now;
            }
        }

        await connection.SendEndAsync();
        await connection.Receiving;
        var last = acks.LastPersistedTicks;
        var seconds = Stopwatch.GetElapsedTime(started, last).TotalSeconds;
        var wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var latency = new Latencies(ends.Length);
        for (var k = 0; k < ends.Length; k++)
        {
            if (acks.Persisted[k] != 0)
            {
                latency.Add(Stopwatch.GetElapsedTime(endTicks[k], acks.Persisted[k]).TotalMilliseconds);
            }
        }

        var note = acks.PersistedCount == ends.Length && acks.Errors == 0 && acks.Status == 200
            ? ""
            : Invariant($" ({acks.PersistedCount} of {ends.Length} PERSISTED, {acks.Errors} ERROR, status {acks.Status} {acks.Problem})");
        return new PushResult(sent / 1e6 / seconds,
            (server.Cpu() - serverCpu).TotalSeconds / wall,
            (Process.GetCurrentProcess().TotalProcessorTime - generatorCpu).TotalSeconds / wall,
            latency, note);
    }

    /// <summary>The generator's own HTTP path, without the product server: the body to the discard endpoint, MB/s to the response.</summary>
    private static async Task<double> DiscardPushAsync(Uri discard, string body, int sendBytes)
    {
        var acks = new OneStreamAcks(0);
        var endPoint = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, discard.Port);
        using var connection = await PutMediaConnection.OpenAsync(endPoint, "discard", 0, sendBytes, acks, 0, path: discard.AbsolutePath);
        using var file = new FileStream(body, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var started = Stopwatch.GetTimestamp();
        long sent = 0;
        int read;
        while ((read = await file.ReadAsync(connection.PayloadMemory[..sendBytes])) > 0)
        {
            await connection.SendChunkAsync(read);
            sent += read;
        }

        await connection.SendEndAsync();
        await connection.Receiving;
        return sent / 1e6 / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static long[] EnsureBody(SyntheticCamera camera, string path, int clusters)
    {
        var ends = camera.ClusterEnds(clusters);
        if (File.Exists(path) && new FileInfo(path).Length == ends[^1])
        {
            return ends;
        }

        Console.WriteLine($"// writing {path} (one time)...");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var partial = path + ".partial";
        var written = camera.WriteFile(partial, clusters);
        File.Move(partial, path, overwrite: true);
        return written;
    }

    private static void WarmPageCache(string path)
    {
        var buffer = new byte[1 << 20];
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        while (file.Read(buffer) > 0)
        {
        }
    }

    private sealed class OneStreamAcks(int clusters) : IAckSink
    {
        public long[] Persisted { get; } = new long[clusters];

        public int PersistedCount { get; private set; }

        public int Errors { get; private set; }

        public long LastPersistedTicks { get; private set; }

        public int Status { get; private set; }

        public string? Problem { get; private set; }

        public void OnAck(int stream, in Ack ack)
        {
            if (ack.Type == AckType.Persisted)
            {
                var k = ack.Timecode / 1000;
                if (k >= 0 && k < Persisted.Length && Persisted[k] == 0)
                {
                    Persisted[k] = ack.ReceivedTicks;
                    PersistedCount++;
                }

                LastPersistedTicks = ack.ReceivedTicks;
            }
            else if (ack.Type == AckType.Error)
            {
                Errors++;
            }
        }

        public void OnEnded(int stream, int status, string? problem)
        {
            Status = status;
            Problem = problem;
        }
    }
}
