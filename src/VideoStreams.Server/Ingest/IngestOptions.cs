namespace VideoStreams.Server.Ingest;

/// <summary>
/// PutMedia limits, configuration section <c>VideoStreams:Ingest</c>. The defaults are KVS's (KVS-API.md §3.1);
/// benchmarks raise <see cref="MaxBytesPerSecond"/>.
/// </summary>
internal sealed record IngestOptions
{
    public const string Section = "VideoStreams:Ingest";

    /// <summary>Per-stream data rate; reading the body pauses when a stream goes faster (default 12.5 MB/s).</summary>
    public long MaxBytesPerSecond { get; set; } = 12_500_000;

    /// <summary>Largest fragment (cluster), bytes: 4001 above it.</summary>
    public int MaxFragmentBytes { get; set; } = 50 * 1024 * 1024;

    /// <summary>Longest fragment, ms: 4002 above it.</summary>
    public int MaxFragmentDurationMs { get; set; } = 10_000;

    /// <summary>Most tracks in a stream: 4012 above it.</summary>
    public int MaxTracks { get; set; } = 3;

    /// <summary>Fragments appended but not yet PERSISTED before ingest stops reading the body (backpressure).</summary>
    public int MaxFragmentsInFlight { get; set; } = 8;

    /// <summary>How often an IDLE ack is sent while no data arrives.</summary>
    public TimeSpan IdleAckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a session may go without data before it is closed (KVS: 30 s).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
