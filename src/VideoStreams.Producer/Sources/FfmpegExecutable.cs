
namespace VideoStreams.Producer.Sources;

/// <summary>Finds the ffmpeg executable an <see cref="EncoderSettings.FfmpegPath"/> names, or says clearly that it is missing.</summary>
internal static class FfmpegExecutable
{
    /// <summary>The full path of the executable.</summary>
    /// <exception cref="VideoSourceException">No such executable.</exception>
    public static string Resolve(string ffmpegPath, string source)
    {
        if (string.IsNullOrWhiteSpace(ffmpegPath))
        {
            throw new VideoSourceException($"{source}: no ffmpeg executable is configured (encoder.ffmpegPath is empty).");
        }

        if (ffmpegPath.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            var full = Path.GetFullPath(ffmpegPath);
            return File.Exists(full)
                ? full
                : throw new VideoSourceException($"{source}: ffmpeg not found at {full} (install ffmpeg with libx264, or fix encoder.ffmpegPath).");
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, ffmpegPath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new VideoSourceException($"{source}: ffmpeg not found: no '{ffmpegPath}' on the PATH (install ffmpeg with libx264, or set encoder.ffmpegPath).");
    }
}

/// <summary>The last lines ffmpeg wrote to stderr, for error messages. Thread-safe; ffmpeg runs with <c>-v error</c>, so lines are few.</summary>
internal sealed class StderrTail
{
    private readonly Queue<string> _lines = new();
    private readonly int _capacity;

    public StderrTail(int capacity = 12) => _capacity = capacity;

    public void Add(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        lock (_lines)
        {
            if (_lines.Count == _capacity)
            {
                _lines.Dequeue();
            }

            _lines.Enqueue(line.Trim());
        }
    }

    public override string ToString()
    {
        lock (_lines)
        {
            return _lines.Count == 0 ? "(ffmpeg printed nothing)" : string.Join(" | ", _lines);
        }
    }
}

/// <summary>
/// Capture times of the frames written to the encoder, in order. With <c>-tune zerolatency</c> and no B-frames libx264
/// emits one access unit per input frame in input order, so the n-th access unit out has the n-th time in.
/// </summary>
internal sealed class TimestampFifo
{
    private readonly long[] _ring = new long[1024];
    private int _head;
    private int _count;

    public void Enqueue(long timestampMs)
    {
        lock (_ring)
        {
            if (_count == _ring.Length)
            {
                // More frames inside ffmpeg than it ever holds with zerolatency: something is badly wrong; keep the newest.
                _head = (_head + 1) % _ring.Length;
                _count--;
            }

            _ring[(_head + _count) % _ring.Length] = timestampMs;
            _count++;
        }
    }

    public bool TryDequeue(out long timestampMs)
    {
        lock (_ring)
        {
            if (_count == 0)
            {
                timestampMs = 0;
                return false;
            }

            timestampMs = _ring[_head];
            _head = (_head + 1) % _ring.Length;
            _count--;
            return true;
        }
    }
}
