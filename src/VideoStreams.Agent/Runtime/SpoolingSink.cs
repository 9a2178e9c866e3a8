using VideoStreams.Agent.Observability;
using VideoStreams.Producer;
using VideoStreams.Producer.Fragmenting;
using VideoStreams.Producer.Sources;
using VideoStreams.Producer.Spool;
using VideoStreams.Producer.Upload;

namespace VideoStreams.Agent.Runtime;

/// <summary>
/// Where a device's source delivers: each access unit goes into the fragmenter, and each fragment it completes into
/// the spool. Runs on the source's thread; the spool's fsync is what makes "captured" mean "survives a crash". With
/// frames as captured, the fragment in progress then goes to the live feed — after the spool append, which is the
/// order the feed's contract asks for (the uploader finishes a fragment from the spool).
/// </summary>
internal sealed class SpoolingSink(string device, Fragmenter fragmenter, FragmentSpool spool, LiveFragmentFeed? live, ILogger logger, AgentMetrics metrics)
    : IAccessUnitSink
{
    private readonly KeyValuePair<string, object?> _deviceTag = AgentMetrics.Device(device);
    private int _started;

    /// <summary>Set by the first access unit: the source has opened and delivers.</summary>
    public Task FirstAccessUnit => _first.Task;

    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool HasStarted => Volatile.Read(ref _started) != 0;

    public void OnDecoderConfiguration(ReadOnlySpan<byte> avcDecoderConfigurationRecord) =>
        fragmenter.SetDecoderConfiguration(avcDecoderConfigurationRecord);

    public void OnAccessUnit(ReadOnlySpan<byte> accessUnit, long timestampMs, AccessUnitFormat format)
    {
        if (_started == 0)
        {
            Volatile.Write(ref _started, 1);
            _first.TrySetResult();
        }

        metrics.AccessUnit(_deviceTag);
        if (fragmenter.Add(accessUnit, timestampMs, format) is { } fragment)
        {
            Spool(fragment);
        }

        live?.Publish(fragmenter);
    }

    /// <summary>Ends the fragment in progress (the source stopped) and spools it; null when none was open.</summary>
    public ProducerFragment? Flush()
    {
        var fragment = fragmenter.Flush();
        var spooled = fragment is not null && Spool(fragment);
        live?.End();
        return spooled ? fragment : null;
    }

    private bool Spool(ProducerFragment fragment)
    {
        SpoolAppendResult result;
        try
        {
            result = spool.Append(fragment);
        }
        catch (IOException e)
        {
            AgentLog.SpoolWriteFailed(logger, device, fragment.SequenceNumber, e.Message);
            metrics.AppendFailure(_deviceTag, "io_error");
            return false;
        }

        if (result.DroppedFragments > 0)
        {
            AgentLog.SpoolDropped(logger, device, result.DroppedFragments);
        }

        if (result.Status == SpoolAppendStatus.Appended)
        {
            return true;
        }

        var reason = result.Status switch
        {
            SpoolAppendStatus.Full => "full",
            SpoolAppendStatus.DiskFull => "disk_full",
            _ => "too_large",
        };
        AgentLog.SpoolRefused(logger, device, fragment.SequenceNumber, fragment.TimestampMs, reason);
        metrics.AppendFailure(_deviceTag, reason);
        return false;
    }
}
