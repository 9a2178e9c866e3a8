using System.Diagnostics;
using VideoStreams.Media.Matroska;

namespace VideoStreams.Benchmarks;

/// <summary>
/// The in-process benchmarks' input: 60 s of 720p30 H.264 High with B-frames (~4 Mbps) and AAC 48 kHz stereo, encoded
/// once with ffmpeg and cached (not committed). remux-vs-ffmpeg.sh makes its longer input with the same options.
/// </summary>
internal static class BenchInput
{
    public const int Seconds = 60;

    private static readonly Lazy<InputStats> LazyStats = new(() => InputStats.Measure(Ensure()));

    /// <summary>$VS_BENCH_CACHE, else artifacts/bench at the repository root (git ignores it), else the temp folder.</summary>
    public static string CacheFolder { get; } = FindCacheFolder();

    public static string FilePath => Path.Combine(CacheFolder, $"remux-{Seconds}s-720p30-high-4M-aac.mkv");

    public static InputStats Stats => LazyStats.Value;

    /// <summary>Generates the file if it is not cached yet (about as long as the media lasts on 2 cores) and returns its path.</summary>
    public static string Ensure()
    {
        var path = FilePath;
        if (File.Exists(path))
        {
            return path;
        }

        Directory.CreateDirectory(CacheFolder);
        var partial = $"{path}.{Environment.ProcessId}.partial";
        Console.WriteLine($"// generating {path} with ffmpeg (one time)...");
        string[] args =
        [
            "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", $"testsrc2=size=1280x720:rate=30:duration={Seconds}",
            "-f", "lavfi", "-i", $"sine=frequency=440:sample_rate=48000:duration={Seconds}",
            "-c:v", "libx264", "-profile:v", "high", "-preset", "veryfast", "-pix_fmt", "yuv420p",
            "-g", "60", "-keyint_min", "60", "-sc_threshold", "0", "-b:v", "4M", "-maxrate", "4M", "-bufsize", "8M",
            "-c:a", "aac", "-b:a", "128k", "-ac", "2",
            "-cluster_time_limit", "60000", "-cluster_size_limit", "50000000", "-f", "matroska", partial,
        ];
        using (var ffmpeg = Process.Start(new ProcessStartInfo("ffmpeg", args) { UseShellExecute = false })
            ?? throw new InvalidOperationException("could not start ffmpeg"))
        {
            ffmpeg.WaitForExit();
            if (ffmpeg.ExitCode != 0)
            {
                File.Delete(partial);
                throw new InvalidOperationException($"ffmpeg failed with exit code {ffmpeg.ExitCode}");
            }
        }

        // Another process (BenchmarkDotNet runs one per benchmark) may have finished first: either file is the same.
        File.Move(partial, path, overwrite: true);
        return path;
    }

    private static string FindCacheFolder()
    {
        if (Environment.GetEnvironmentVariable("VS_BENCH_CACHE") is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        // BenchmarkDotNet runs each benchmark from a generated project below this project's bin folder.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VideoStreams.sln")))
            {
                return Path.Combine(dir.FullName, "artifacts", "bench");
            }
        }

        return Path.Combine(Path.GetTempPath(), "videostreams-bench");
    }
}

/// <summary>What the throughput and per-frame columns divide by.</summary>
internal sealed record InputStats(long Bytes, int VideoFrames, int AudioFrames)
{
    public int Frames => VideoFrames + AudioFrames;

    public double Megabytes => Bytes / 1e6;

    public static InputStats Measure(string path)
    {
        var bytes = File.ReadAllBytes(path);
        int video = 0, audio = 0;
        new MatroskaReader().ReadAll(bytes, (reader, in ev) =>
        {
            if (ev.Kind != MatroskaEventKind.Frame)
            {
                return;
            }

            var number = ev.Frame.TrackNumber;
            if (reader.Tracks.First(t => t.Number == number).IsH264)
            {
                video++;
            }
            else
            {
                audio++;
            }
        });
        return new InputStats(bytes.Length, video, audio);
    }
}
