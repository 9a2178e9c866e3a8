using System.Diagnostics.Metrics;

namespace VideoStreams.Storage;

/// <summary>
/// The store's instruments (meter <c>VideoStreams.Storage</c>), exported for Prometheus by the server: fragments and
/// bytes persisted, append failures by error, commit batches, and the append→PERSISTED latency.
/// </summary>
internal sealed class StoreMetrics : IDisposable
{
    public const string MeterName = "VideoStreams.Storage";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    public StoreMetrics(IMeterFactory? factory)
    {
        // A factory's meter belongs to the factory (it may be shared by every store of the process): only ours is ours to dispose.
        _ownsMeter = factory is null;
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        Persisted = _meter.CreateCounter<long>("videostreams.storage.fragments_persisted", "{fragment}", "Fragments made durable and indexed.");
        PersistedBytes = _meter.CreateCounter<long>("videostreams.storage.bytes_persisted", "By", "Media bytes made durable.");
        AppendFailures = _meter.CreateCounter<long>("videostreams.storage.append_failures", "{fragment}", "Appends refused or failed, by error.");
        CommitFailures = _meter.CreateCounter<long>("videostreams.storage.commit_failures", "{fragment}", "Fragments whose commit failed.");
        Commits = _meter.CreateCounter<long>("videostreams.storage.commits", "{commit}", "Group commits (each syncs every log it touched once).");
        Syncs = _meter.CreateCounter<long>("videostreams.storage.syncs", "{sync}", "fdatasync and directory fsync calls made by commits.");
        PersistLatency = _meter.CreateHistogram<double>("videostreams.storage.persist_latency", "ms", "Time from append to PERSISTED.");
        CommitDuration = _meter.CreateHistogram<double>("videostreams.storage.commit_duration", "ms", "Time a group commit takes (syncs and index transaction).");
    }

    public Counter<long> Persisted { get; }

    public Counter<long> PersistedBytes { get; }

    public Counter<long> AppendFailures { get; }

    public Counter<long> CommitFailures { get; }

    public Counter<long> Commits { get; }

    public Counter<long> Syncs { get; }

    public Histogram<double> PersistLatency { get; }

    public Histogram<double> CommitDuration { get; }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
