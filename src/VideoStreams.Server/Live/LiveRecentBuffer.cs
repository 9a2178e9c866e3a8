namespace VideoStreams.Server.Live;

/// <summary>
/// A retention-0 stream's recent fragments (its FragmentReceived events, oldest first): the store never sees these,
/// so this is all GetMedia can read behind the live edge. Bounded by <see cref="LiveOptions.RecentWindow"/> (server
/// timestamps against the clock) and <see cref="LiveOptions.RecentBytes"/>. Not thread-safe: used under the stream's lock.
/// </summary>
internal sealed class LiveRecentBuffer(LiveOptions options)
{
    private readonly Queue<LiveEvent> _fragments = new();
    private long _bytes;

    public int Count => _fragments.Count;

    public void Add(LiveEvent received, long nowMs)
    {
        _fragments.Enqueue(received);
        _bytes += received.Fragment!.Media.Length;
        Trim(nowMs);
    }

    /// <summary>What the buffer holds now, oldest first.</summary>
    public LiveEvent[] Snapshot(long nowMs)
    {
        Trim(nowMs);
        return [.. _fragments];
    }

    private void Trim(long nowMs)
    {
        var oldest = nowMs - (long)options.RecentWindow.TotalMilliseconds;
        while (_fragments.TryPeek(out var first)
            && (_bytes > options.RecentBytes || first.Fragment!.ServerTimestampMs + first.Fragment.DurationMs < oldest))
        {
            _fragments.Dequeue();
            _bytes -= first.Fragment!.Media.Length;
        }
    }
}
