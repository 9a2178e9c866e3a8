using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace VideoStreams.Server.Kvs;

/// <summary>
/// The server's <see cref="IMeterFactory"/>: one <see cref="Meter"/> per name and version for the whole
/// process, never disposed. The default factory disposes its meters with the host, and OpenTelemetry (through
/// 1.20) then stops every meter of the same name in the process, not only that host's
/// (opentelemetry-dotnet#6412): a second server in the same process (the test host, an embedding application)
/// would lose its /metrics series the moment another one stops. With one meter per name, a stopping host only
/// unsubscribes its own exporter. Counters therefore add up across the servers of one process, as the OpenTelemetry
/// listener already merged same-named meters.
/// </summary>
internal sealed class ProcessMeterFactory : IMeterFactory
{
    private static readonly ConcurrentDictionary<(string Name, string? Version), Meter> Meters = new();

    public static ProcessMeterFactory Instance { get; } = new();

    private ProcessMeterFactory()
    {
    }

    public Meter Create(MeterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Meters.GetOrAdd((options.Name, options.Version), static key => new Meter(new MeterOptions(key.Name) { Version = key.Version, Scope = Instance }));
    }

    /// <summary>Nothing to release: the meters live as long as the process.</summary>
    public void Dispose()
    {
    }
}
