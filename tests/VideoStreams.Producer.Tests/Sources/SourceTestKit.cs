using System.Diagnostics;
using VideoStreams.Producer.Fragmenting;
using VideoStreams.Producer.Sources;
using VideoStreams.TestSupport;

namespace VideoStreams.Producer.Tests.Sources;

/// <summary>A sink that feeds a real <see cref="Fragmenter"/> and remembers what it was given.</summary>
internal sealed class FragmentingSink : IAccessUnitSink, IDisposable
{
    private readonly Fragmenter _fragmenter;
    private readonly TaskCompletionSource _enough = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _stopAfter;

    public FragmentingSink(FragmenterOptions? options = null, int stopAfterFrames = int.MaxValue)
    {
        _fragmenter = new Fragmenter(options ?? new FragmenterOptions());
        _stopAfter = stopAfterFrames;
    }

    public List<ProducerFragment> Fragments { get; } = [];

    public List<long> Timestamps { get; } = [];

    public List<byte[]> Configurations { get; } = [];

    public List<byte[]> AccessUnits { get; } = [];

    public bool KeepAccessUnits { get; init; }

    public AccessUnitFormat? Format { get; private set; }

    /// <summary>Completes once <c>stopAfterFrames</c> access units have come.</summary>
    public Task Enough => _enough.Task;

    public void OnDecoderConfiguration(ReadOnlySpan<byte> avcDecoderConfigurationRecord)
    {
        Configurations.Add(avcDecoderConfigurationRecord.ToArray());
        _fragmenter.SetDecoderConfiguration(avcDecoderConfigurationRecord);
    }

    public void OnAccessUnit(ReadOnlySpan<byte> accessUnit, long timestampMs, AccessUnitFormat format)
    {
        Format = format;
        Timestamps.Add(timestampMs);
        if (KeepAccessUnits)
        {
            AccessUnits.Add(accessUnit.ToArray());
        }

        if (_fragmenter.Add(accessUnit, timestampMs, format) is { } fragment)
        {
            Fragments.Add(fragment);
        }

        if (Timestamps.Count >= _stopAfter)
        {
            _enough.TrySetResult();
        }
    }

    public void Flush()
    {
        if (_fragmenter.Flush() is { } last)
        {
            Fragments.Add(last);
        }
    }

    /// <summary>What PutMedia sessions would carry: each header once, then its fragments' bodies.</summary>
    public byte[] Concatenate() => Fragmenting.FragmenterTests.Concatenate(Fragments);

    public void Dispose() => _fragmenter.Dispose();
}

/// <summary>
/// A clock that runs <see cref="Speed"/> times faster than real time (timestamps, wall clock and timers alike), so a
/// paced source plays seconds of media in a fraction of that.
/// </summary>
internal sealed class FastTimeProvider : TimeProvider
{
    private readonly long _origin = Stopwatch.GetTimestamp();
    private readonly DateTimeOffset _start = DateTimeOffset.UtcNow;

    public FastTimeProvider(int speed) => Speed = speed;

    public int Speed { get; }

    public override long TimestampFrequency => Stopwatch.Frequency / Speed;

    public override long GetTimestamp() => Stopwatch.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => _start + (Stopwatch.GetElapsedTime(_origin) * Speed);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new ScaledTimer(System.CreateTimer(callback, state, Scale(dueTime), Scale(period)), this);

    private TimeSpan Scale(TimeSpan t) => t == Timeout.InfiniteTimeSpan ? t : t / Speed;

    private sealed class ScaledTimer(ITimer inner, FastTimeProvider owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(owner.Scale(dueTime), owner.Scale(period));

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

internal static class SourceTestKit
{
    public static string TempFile(string extension) => Path.Combine(Path.GetTempPath(), $"vs-sources-{Guid.NewGuid():N}{extension}");

    /// <summary>Runs a source until the sink has enough frames (then cancels) or the source ends by itself.</summary>
    public static async Task RunUntilAsync(IVideoSource source, FragmentingSink sink, TimeSpan limit)
    {
        using var cts = new CancellationTokenSource(limit);
        var run = source.RunAsync(sink, cts.Token);
        await Task.WhenAny(run, sink.Enough);
        await cts.CancelAsync();
        await run;
        sink.Flush();
    }

    /// <summary>
    /// Live child processes of this process whose command name is <paramref name="name"/> and whose command line
    /// contains <paramref name="marker"/> (other tests run ffmpeg children at the same time), from /proc.
    /// </summary>
    public static List<int> ChildProcesses(string name, string marker)
    {
        var self = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var children = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                // /proc/PID/stat: "pid (comm) state ppid ..."
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var close = stat.LastIndexOf(')');
                var comm = stat[(stat.IndexOf('(') + 1)..close];
                var fields = stat[(close + 2)..].Split(' ');
                var commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (comm == name && fields[1] == self && fields[0] != "Z" && commandLine.Contains(marker, StringComparison.Ordinal))
                {
                    children.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process went away while we looked.
            }
        }

        return children;
    }

    /// <summary>Per-packet MD5s of the first video stream, copied without decoding (<c>-c copy -f framemd5</c>).</summary>
    public static async Task<List<string>> PacketHashesAsync(string path)
    {
        var r = await ToolRunner.RunAsync("ffmpeg", "-nostdin", "-v", "error", "-i", path, "-map", "0:v:0", "-c", "copy", "-f", "framemd5", "-");
        r.EnsureSuccess("ffmpeg framemd5 " + path);
        return r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith('#'))
            .Select(l => l.Split(',').Last().Trim())
            .ToList();
    }

    /// <summary>
    /// What ffmpeg's decoder complains about (empty when clean). Real capture times are irregular, so the frames keep
    /// the stream's millisecond time base (<c>-enc_time_base -1</c>): with ffmpeg's default, the null muxer rounds them
    /// to a 1/30 s grid and reports two frames on one tick as "non monotonically increasing dts", which is about its
    /// own rounding, not the video.
    /// </summary>
    public static async Task<string> DecodeErrorsAsync(string path)
    {
        var r = await ToolRunner.RunAsync("ffmpeg", ["-nostdin", "-v", "error", "-i", path, "-fps_mode", "passthrough", "-enc_time_base", "-1", "-f", "null", "-"], TimeSpan.FromMinutes(2));
        return r.ExitCode == 0 ? r.StdErr.Trim() : $"exit {r.ExitCode}: {r.StdErr.Trim()}";
    }

    /// <summary>Decodes a file's video to BGR24 frames of the given size.</summary>
    public static async Task<List<byte[]>> DecodeBgr24Async(string path, int width, int height)
    {
        var raw = TempFile(".bgr");
        try
        {
            var r = await ToolRunner.RunAsync("ffmpeg", ["-nostdin", "-v", "error", "-i", path, "-map", "0:v:0", "-fps_mode", "passthrough", "-enc_time_base", "-1", "-f", "rawvideo", "-pix_fmt", "bgr24", "-y", raw], TimeSpan.FromMinutes(2));
            r.EnsureSuccess("ffmpeg decode " + path);
            var bytes = await File.ReadAllBytesAsync(raw);
            var size = width * height * 3;
            Assert.Equal(0, bytes.Length % size);
            return Enumerable.Range(0, bytes.Length / size).Select(i => bytes[(i * size)..((i + 1) * size)]).ToList();
        }
        finally
        {
            File.Delete(raw);
        }
    }
}
