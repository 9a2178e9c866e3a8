namespace VideoStreams.Producer.Upload;

/// <summary>What the uploader does about an ERROR ack.</summary>
internal enum AckErrorAction
{
    /// <summary>A passing problem on the server's side: end the session, reconnect with backoff, resend.</summary>
    Retry,

    /// <summary>This fragment can never be accepted: release it from the spool (counted and logged) and go on.</summary>
    Skip,

    /// <summary>The stream itself refuses data: stop with <see cref="UploadFatalException"/>.</summary>
    Fatal,
}

/// <summary>
/// KVS ErrorIds (KVS-API §3.1) sorted the way the KVS producer SDK treats them (§7): errors about one fragment's
/// content mark that fragment skipped; errors of the host or the connection restart the session and resend; a
/// stream that is not active or deleted stops the producer.
/// </summary>
internal static class AckErrors
{
    public static AckErrorAction Classify(int? errorId) => errorId switch
    {
        // MAX_FRAGMENT_SIZE_REACHED, MAX_FRAGMENT_DURATION_REACHED, FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS,
        // MORE_THAN_ONE_TRACK_FOUND, INVALID_MKV_DATA, INVALID_PRODUCER_TIMESTAMP, FRAGMENT_METADATA_LIMIT_REACHED,
        // TRACK_NUMBER_MISMATCH, FRAMES_MISSING_FOR_TRACK, MORE_THAN_ALLOWED_TRACKS_FOUND: sending it again gives the
        // same answer.
        4001 or 4002 or 4004 or 4005 or 4006 or 4007 or 4009 or 4010 or 4011 or 4012 => AckErrorAction.Skip,

        // STREAM_NOT_ACTIVE, STREAM_DELETED.
        4008 or 4507 => AckErrorAction.Fatal,

        // STREAM_READ_ERROR, MAX_CONNECTION_DURATION_REACHED, KMS_KEY_* (4500–4506), INTERNAL_ERROR, ARCHIVAL_ERROR,
        // and anything unknown: the host is alive, try again.
        _ => AckErrorAction.Retry,
    };

    /// <summary>The name of a known ErrorId (for logs when the ack has no ErrorCode).</summary>
    public static string Name(int? errorId) => errorId switch
    {
        4000 => "STREAM_READ_ERROR",
        4001 => "MAX_FRAGMENT_SIZE_REACHED",
        4002 => "MAX_FRAGMENT_DURATION_REACHED",
        4003 => "MAX_CONNECTION_DURATION_REACHED",
        4004 => "FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS",
        4005 => "MORE_THAN_ONE_TRACK_FOUND",
        4006 => "INVALID_MKV_DATA",
        4007 => "INVALID_PRODUCER_TIMESTAMP",
        4008 => "STREAM_NOT_ACTIVE",
        4009 => "FRAGMENT_METADATA_LIMIT_REACHED",
        4010 => "TRACK_NUMBER_MISMATCH",
        4011 => "FRAMES_MISSING_FOR_TRACK",
        4012 => "MORE_THAN_ALLOWED_TRACKS_FOUND",
        >= 4500 and <= 4506 => "KMS_KEY_ERROR",
        4507 => "STREAM_DELETED",
        5000 => "INTERNAL_ERROR",
        5001 => "ARCHIVAL_ERROR",
        null => "ERROR",
        _ => "UNKNOWN_ERROR",
    };
}
