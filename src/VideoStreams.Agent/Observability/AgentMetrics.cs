using System.Diagnostics.Metrics;

namespace VideoStreams.Agent.Observability;

/// <summary>
/// The agent's own instruments on the meter "VideoStreams.Agent", tagged with the device name. The pipeline's
/// figures (frames, fragments, spool bytes and age, acks, upload latency) come from the library's meter
/// "VideoStreams.Producer"; these add what only the agent knows.
/// </summary>
internal sealed class AgentMetrics
{
    public const string MeterName = "VideoStreams.Agent";
    public const string DeviceTag = "videostreams.agent.device";

    private readonly Counter<long> _accessUnits;
    private readonly Counter<long> _sourceRestarts;
    private readonly Counter<long> _uploaderRestarts;
    private readonly Counter<long> _appendFailures;
    private int _running;

    public AgentMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(new MeterOptions(MeterName));
        meter.CreateObservableGauge("videostreams.agent.devices_running", () => Volatile.Read(ref _running), "{device}", "Devices whose pipeline is running.");
        _accessUnits = meter.CreateCounter<long>("videostreams.agent.access_units", "{frame}", "Encoded pictures handed from the source to the fragmenter.");
        _sourceRestarts = meter.CreateCounter<long>("videostreams.agent.source_restarts", "{restart}", "Times a failed source was started again.");
        _uploaderRestarts = meter.CreateCounter<long>("videostreams.agent.uploader_restarts", "{restart}", "Times the uploader failed unexpectedly and was started again.");
        _appendFailures = meter.CreateCounter<long>("videostreams.agent.spool_append_failures", "{fragment}", "Fragments the spool did not take (full, disk_full, too_large, io_error): lost footage.");
    }

    public static KeyValuePair<string, object?> Device(string name) => new(DeviceTag, name);

    public void DeviceStarted() => Interlocked.Increment(ref _running);

    public void DeviceStopped() => Interlocked.Decrement(ref _running);

    public void AccessUnit(in KeyValuePair<string, object?> device) => _accessUnits.Add(1, device);

    public void SourceRestart(in KeyValuePair<string, object?> device) => _sourceRestarts.Add(1, device);

    public void UploaderRestart(in KeyValuePair<string, object?> device) => _uploaderRestarts.Add(1, device);

    public void AppendFailure(in KeyValuePair<string, object?> device, string reason) => _appendFailures.Add(1, device, new("reason", reason));
}
