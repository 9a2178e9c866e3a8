namespace VideoStreams.Producer.Upload;

/// <summary>
/// The spool's oldest unacknowledged fragment got older than <see cref="UploaderOptions.LatencyPressureThreshold"/>
/// (<see cref="UnderPressure"/> true), or is back under it (false): the uplink does not keep up, or is down.
/// </summary>
/// <param name="underPressure">True when pressure starts, false when it is relieved.</param>
/// <param name="pendingFragments">Fragments waiting in the spool.</param>
/// <param name="pendingBytes">Their record bytes.</param>
/// <param name="oldestPendingAge">How long the oldest has waited.</param>
public sealed class LatencyPressureEventArgs(bool underPressure, int pendingFragments, long pendingBytes, TimeSpan oldestPendingAge) : EventArgs
{
    /// <summary>True when pressure starts, false when it is relieved.</summary>
    public bool UnderPressure { get; } = underPressure;

    /// <summary>Fragments waiting in the spool.</summary>
    public int PendingFragments { get; } = pendingFragments;

    /// <summary>Their record bytes.</summary>
    public long PendingBytes { get; } = pendingBytes;

    /// <summary>How long the oldest has waited.</summary>
    public TimeSpan OldestPendingAge { get; } = oldestPendingAge;
}

/// <summary>A fragment the server refused for good was released from the spool without being stored.</summary>
/// <param name="sequenceNumber">The fragment's spool sequence number.</param>
/// <param name="timestampMs">Its timecode (epoch ms).</param>
/// <param name="errorId">The ack's ErrorId.</param>
/// <param name="errorCode">The ack's ErrorCode, or the known name of the ErrorId.</param>
public sealed class FragmentSkippedEventArgs(long sequenceNumber, long timestampMs, int errorId, string errorCode) : EventArgs
{
    /// <summary>The fragment's spool sequence number.</summary>
    public long SequenceNumber { get; } = sequenceNumber;

    /// <summary>Its timecode (epoch ms).</summary>
    public long TimestampMs { get; } = timestampMs;

    /// <summary>The ack's ErrorId.</summary>
    public int ErrorId { get; } = errorId;

    /// <summary>The ack's ErrorCode, or the known name of the ErrorId.</summary>
    public string ErrorCode { get; } = errorCode;
}
