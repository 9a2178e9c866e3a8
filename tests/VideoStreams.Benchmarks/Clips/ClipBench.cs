using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using VideoStreams.Benchmarks.Ingest;
using VideoStreams.Media.Matroska;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Benchmarks.Clips;

/// <summary>
/// Our clip endpoint vs <c>ffmpeg -c copy -movflags +faststart</c>, side by side in one run, on the same fragments:
/// a recording of <c>--minutes</c> (default 60) of 4 Mbps H.264 (a 10 s ffmpeg encode, looped with advancing timestamps
/// and appended as 2 s fragments straight into a server data folder), served by the Release server in its own process.
/// ffmpeg's input is fetched once with GetMediaForFragmentList into an MKV file (not timed). Ours is timed cold (the
/// first request after the server starts: plan + write) and warm (the plan cached), each written to a file as ffmpeg's is.
/// </summary>
internal static class ClipBench
{
    private const string Stream = "bench-clip";
    // Must equal VideoStreams.Server.Playback.SessionHeader.TagName: the server reads each fragment's tracks from it.
    private const string SessionHeaderTag = "AWS_VIDEOSTREAMS_SESSION_HEADER";
    private const long ProducerBaseMs = 1_750_000_000_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var minutes = int.Parse(Option(args, "--minutes") ?? "60", CultureInfo.InvariantCulture);
        var reps = int.Parse(Option(args, "--reps") ?? "3", CultureInfo.InvariantCulture);
        var work = Path.GetFullPath(Option(args, "--data") ?? Path.Combine(SyntheticCamera.RepositoryRoot(), "artifacts", "bench", "clips"));
        var dll = Option(args, "--server-dll") ?? ServerProcess.DefaultDll;
        Directory.CreateDirectory(work);

        var source = Path.Combine(work, "source-10s-4mbps.mkv");
        if (!File.Exists(source))
        {
            // CBR with filler (nal-hrd=cbr) so the test pattern really costs 4 Mbps; a keyframe every 2 s, clusters of 2 s.
            Run("ffmpeg", $"-nostdin -v error -f lavfi -i testsrc2=size=1280x720:rate=30 -t 10 -c:v libx264 -preset veryfast -pix_fmt yuv420p "
                + "-b:v 4M -minrate 4M -maxrate 4M -bufsize 4M -x264-params nal-hrd=cbr -g 60 -keyint_min 60 -sc_threshold 0 "
                + $"-f matroska -cluster_time_limit 2000 -y {source}.tmp");
            File.Move(source + ".tmp", source);
        }

        var recording = Path.Combine(work, $"recording-{minutes}min.mkv");
        if (!File.Exists(recording))
        {
            Run("ffmpeg", $"-nostdin -v error -stream_loop {(minutes * 6) + 1} -i {source} -c copy -t {minutes * 60} -f matroska -cluster_time_limit 2000 -y {recording}.tmp");
            File.Move(recording + ".tmp", recording);
        }

        var data = Path.Combine(work, $"data-{minutes}min");
        var (fragments, endMs) = Seed(recording, data);
        Console.WriteLine($"// machine: {Environment.ProcessorCount} cores; recording {minutes} min, {fragments} fragments, {new FileInfo(recording).Length / 1e6:0} MB");

        var start = ProducerBaseMs;
        var end = endMs + 1;
        var url = $"v1/streams/{Stream}/clip?start={start}&end={end}";
        var fetched = Path.Combine(work, $"fragments-{minutes}min.mkv");
        var ours = Path.Combine(work, "ours.mp4");
        var theirs = Path.Combine(work, "ffmpeg.mp4");
        var rows = new List<(string Tool, double Seconds, long Bytes)>();
        for (var rep = 1; rep <= reps; rep++)
        {
            // The planning log line (event 5450) says how much of the cold request was pass 1.
            var settings = new Dictionary<string, string> { ["Logging__LogLevel__VideoStreams.Server.Playback.Clips"] = "Information" };
            await using (var server = await ServerProcess.StartAsync(dll, data, settings))
            {
                // Transfers of a GB or more: the server helper's 30 s client timeout is for small requests.
                using var http = new HttpClient { BaseAddress = server.Http.BaseAddress, Timeout = TimeSpan.FromMinutes(30) };
                if (!File.Exists(fetched))
                {
                    await FetchAsync(http, start, end, fetched);
                }

                foreach (var kind in (string[])["ours (cold: plan + write)", "ours (warm: plan cached)"])
                {
                    var clock = Stopwatch.StartNew();
                    var bytes = await DownloadAsync(http, url, ours);
                    rows.Add((kind, clock.Elapsed.TotalSeconds, bytes));
                }

                foreach (var line in server.Output.Split('\n').Where(l => l.Contains("planned", StringComparison.Ordinal)))
                {
                    Console.WriteLine("// server: " + line.Trim());
                }
            }

            var ffmpeg = Stopwatch.StartNew();
            Run("ffmpeg", $"-nostdin -v error -i {fetched} -c copy -movflags +faststart -y {theirs}");
            rows.Add(("ffmpeg -c copy -movflags +faststart", ffmpeg.Elapsed.TotalSeconds, new FileInfo(theirs).Length));
        }

        Console.WriteLine($"// frames: ours {Frames(ours)}, ffmpeg {Frames(theirs)} (from each file's sample tables)");
        Console.WriteLine();
        Console.WriteLine("| run | tool | wall s | MB out | MB/s |");
        Console.WriteLine("| ---: | --- | ---: | ---: | ---: |");
        for (var i = 0; i < rows.Count; i++)
        {
            var (tool, seconds, bytes) = rows[i];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {(i / 3) + 1} | {tool} | {seconds:0.00} | {bytes / 1e6:0} | {bytes / 1e6 / seconds:0} |"));
        }

        double Median(string prefix) => rows.Where(r => r.Tool.StartsWith(prefix, StringComparison.Ordinal)).Select(r => r.Seconds).Order().ElementAt(reps / 2);
        var ff = Median("ffmpeg");
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median: ffmpeg {ff:0.00} s; ours cold {Median("ours (cold"):0.00} s ({ff / Median("ours (cold"):0.0}x faster), warm {Median("ours (warm"):0.00} s ({ff / Median("ours (warm"):0.0}x faster); target >= 3x"));
        return 0;
    }

    /// <summary>Appends every cluster of the recording as one fragment (once; a marker file says the folder is complete).</summary>
    private static (int Fragments, long LastStartMs) Seed(string recording, string data)
    {
        var marker = Path.Combine(data, "seeded.txt");
        if (File.Exists(marker))
        {
            var parts = File.ReadAllText(marker).Split(' ');
            return (int.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture));
        }

        if (Directory.Exists(data))
        {
            Directory.Delete(data, recursive: true);
        }

        Directory.CreateDirectory(data);
        var clusters = new List<(long Offset, int Length, long TimestampMs)>();
        MatroskaSegmentInfo info = new();
        IReadOnlyList<MatroskaTrack> tracks = [];
        long clusterStart = 0, clusterTime = 0;
        using (var file = File.OpenHandle(recording))
        {
            new MatroskaReader().ReadFile(file, (r, in e) =>
            {
                switch (e.Kind)
                {
                    case MatroskaEventKind.Tracks:
                        (info, tracks) = (r.Info, r.Tracks);
                        break;
                    case MatroskaEventKind.ClusterStart:
                        (clusterStart, clusterTime) = (r.ClusterOffset, r.ClusterTimestamp * (long)r.Info.TimestampScale / 1_000_000);
                        break;
                    case MatroskaEventKind.ClusterEnd:
                        clusters.Add((clusterStart, (int)(e.Offset - clusterStart), clusterTime));
                        break;
                }
            });
        }

        var header = new ArrayBufferWriter<byte>();
        using (var writer = new MatroskaWriter(header))
        {
            writer.WriteHeader(info, tracks);
        }

        List<KeyValuePair<string, string>> tags = [new(SessionHeaderTag, Convert.ToBase64String(header.WrittenSpan))];
        // Server times: the recording ends ten minutes ago (a SERVER_TIMESTAMP clip needs an end in the past).
        var serverBase = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - clusters[^1].TimestampMs - 600_000;
        using var store = FragmentStore.Open(new FragmentStoreOptions { DataDirectory = data });
        var stream = store.Streams.CreateStream(Stream, dataRetentionInHours: 24 * 365);
        if (!stream.IsSuccess)
        {
            throw new InvalidOperationException(stream.Message);
        }

        using var source = File.OpenHandle(recording);
        var pending = new List<Task<StorageResult<FragmentEntry>>>();
        var buffer = new byte[16 << 20];
        for (var i = 0; i < clusters.Count; i++)
        {
            var (offset, length, ms) = clusters[i];
            var next = i + 1 < clusters.Count ? clusters[i + 1].TimestampMs : ms + 2000;
            if (length > buffer.Length)
            {
                buffer = new byte[length];
            }

            RandomAccess.Read(source, buffer.AsSpan(0, length), offset);
            var appended = store.Append(stream.Value!.Id, new NewFragment(ProducerBaseMs + ms, serverBase + ms, (int)(next - ms),
                FragmentFlags.StartsWithKeyframe | FragmentFlags.HasVideo, buffer.AsMemory(0, length), tags));
            if (!appended.IsSuccess)
            {
                throw new InvalidOperationException(appended.Message);
            }

            pending.Add(appended.Value!.Persisted);
            if (pending.Count == 64)
            {
                Persisted(pending);
            }
        }

        Persisted(pending);
        var last = ProducerBaseMs + clusters[^1].TimestampMs;
        File.WriteAllText(marker, string.Create(CultureInfo.InvariantCulture, $"{clusters.Count} {last}"));
        return (clusters.Count, last);
    }

    private static void Persisted(List<Task<StorageResult<FragmentEntry>>> pending)
    {
        foreach (var task in pending)
        {
            var result = task.GetAwaiter().GetResult();
            if (!result.IsSuccess)
            {
                throw new InvalidOperationException(result.Message);
            }
        }

        pending.Clear();
    }

    /// <summary>ffmpeg's input: ListFragments, then GetMediaForFragmentList 1000 at a time into one MKV file.</summary>
    private static async Task FetchAsync(HttpClient http, long startMs, long endMs, string path)
    {
        var numbers = new List<string>();
        string? token = null;
        do
        {
            object body = token is null
                ? new { StreamName = Stream, MaxResults = 1000, FragmentSelector = new { FragmentSelectorType = "PRODUCER_TIMESTAMP", TimestampRange = new { StartTimestamp = startMs / 1000.0, EndTimestamp = endMs / 1000.0 } } }
                : new { StreamName = Stream, MaxResults = 1000, NextToken = token };
            using var response = await http.PostAsync("listFragments", Json(body));
            response.EnsureSuccessStatusCode();
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var page = doc.RootElement.GetProperty("Fragments").EnumerateArray()
                .Select(f => (Ts: f.GetProperty("ProducerTimestamp").GetDouble(), Number: f.GetProperty("FragmentNumber").GetString()!));
            numbers.AddRange(page.OrderBy(f => f.Ts).Select(f => f.Number));
            token = doc.RootElement.TryGetProperty("NextToken", out var next) ? next.GetString() : null;
        }
        while (token is not null);

        await using var output = File.Create(path + ".tmp");
        for (var i = 0; i < numbers.Count; i += 1000)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "getMediaForFragmentList")
            {
                Content = Json(new { StreamName = Stream, Fragments = numbers.Skip(i).Take(1000).ToList() }),
            };
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            await (await response.Content.ReadAsStreamAsync()).CopyToAsync(output);
        }

        output.Close();
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private static async Task<long> DownloadAsync(HttpClient http, string url, string path)
    {
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        await (await response.Content.ReadAsStreamAsync()).CopyToAsync(file, 1 << 20);
        return file.Length;
    }

    private static string Frames(string mp4) =>
        Run("ffprobe", $"-v error -select_streams v:0 -show_entries stream=nb_frames -of csv=p=0 {mp4}").Trim();

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string Run(string tool, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {arguments} exited with {process.ExitCode}: {error.Result}");
        }

        return output.Result;
    }
}
