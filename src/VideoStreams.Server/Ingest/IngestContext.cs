using VideoStreams.Server.Live;
using VideoStreams.Storage;

namespace VideoStreams.Server.Ingest;

/// <summary>What every PutMedia session shares (a singleton).</summary>
internal sealed class IngestContext(
    FragmentStore store, LiveHub hub, IngestMetrics metrics, IngestOptions options, TimeProvider time, ILoggerFactory loggers)
{
    public FragmentStore Store => store;

    public LiveHub Hub => hub;

    public IngestMetrics Metrics => metrics;

    public IngestOptions Options => options;

    public TimeProvider Time => time;

    public ILogger Logger { get; } = loggers.CreateLogger("VideoStreams.Server.Ingest");

    public ResendDetector Dedup { get; } = new(store);

    /// <summary>The session ingesting each stream now; a newer one takes over.</summary>
    public SessionRegistry Sessions { get; } = new();
}
