using System.Diagnostics;

namespace VideoStreams.Cli.Clips;

/// <summary><c>--limit-rate</c>: sleeps so the average rate since the start stays at or under the limit (as curl's).</summary>
internal sealed class RateLimit(long bytesPerSecond)
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private long _bytes;

    /// <summary>Chunks small enough that a limited download moves at least four times a second.</summary>
    public int ChunkSize(int normal) => (int)Math.Clamp(bytesPerSecond / 4, 1024, normal);

    public Task WaitAsync(int bytes, CancellationToken cancellationToken)
    {
        _bytes += bytes;
        var due = TimeSpan.FromSeconds((double)_bytes / bytesPerSecond);
        var ahead = due - Stopwatch.GetElapsedTime(_start);
        return ahead > TimeSpan.Zero ? Task.Delay(ahead, cancellationToken) : Task.CompletedTask;
    }
}
