namespace VideoStreams.Server.Live;

/// <summary>
/// Live hub settings, configuration section <c>VideoStreams:Live</c>. The recent-fragment buffer is what KVS calls the
/// host buffer of a retention-0 stream (KVS-API.md §1.6: readers can still get "at most 5 min or 200 MB").
/// </summary>
internal sealed record LiveOptions
{
    public const string Section = "VideoStreams:Live";

    /// <summary>How far back a retention-0 stream's buffer reaches, by server timestamp (KVS: 5 min).</summary>
    public TimeSpan RecentWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Most media bytes a retention-0 stream's buffer holds (KVS: 200 MB); the oldest fragments go first.</summary>
    public long RecentBytes { get; set; } = 200L * 1024 * 1024;
}
