namespace VideoStreams.Producer.Upload;

/// <summary>The <c>EventType</c> of a PutMedia ack (KVS-API §3.1).</summary>
public enum PutMediaAckType
{
    /// <summary>An event type this version does not know; ignored.</summary>
    Unknown,

    /// <summary>The server read the fragment's first byte.</summary>
    Buffering,

    /// <summary>The server read the whole fragment and accepted it.</summary>
    Received,

    /// <summary>The fragment is stored durably (only for streams with retention above 0).</summary>
    Persisted,

    /// <summary>The fragment (or the session) was refused; see <see cref="PutMediaAck.ErrorId"/>.</summary>
    Error,

    /// <summary>The session is alive but the server got no data lately.</summary>
    Idle,
}

/// <summary>One ack object of a PutMedia response.</summary>
/// <param name="Type">The event type.</param>
/// <param name="FragmentTimecode">The fragment's cluster timecode (ABSOLUTE: epoch ms), when given.</param>
/// <param name="FragmentNumber">The server's fragment number, when given.</param>
/// <param name="ErrorId">The KVS ErrorId of an ERROR ack (e.g. 4006).</param>
/// <param name="ErrorCode">The symbolic name of the error (e.g. <c>INVALID_MKV_DATA</c>), when given.</param>
public readonly record struct PutMediaAck(PutMediaAckType Type, long? FragmentTimecode, string? FragmentNumber, int? ErrorId, string? ErrorCode);
