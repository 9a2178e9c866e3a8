namespace VideoStreams.Server.Ingest;

/// <summary>PutMedia ERROR ack ids (KVS-API.md §3.1).</summary>
internal enum AckErrorId
{
    StreamReadError = 4000,
    MaxFragmentSizeReached = 4001,
    MaxFragmentDurationReached = 4002,
    FragmentTimecodeLesserThanPrevious = 4004,
    InvalidMkvData = 4006,
    InvalidProducerTimestamp = 4007,
    StreamNotActive = 4008,
    FragmentMetadataLimitReached = 4009,
    TrackNumberMismatch = 4010,
    FramesMissingForTrack = 4011,
    MoreThanAllowedTracksFound = 4012,
    KmsKeyUnavailable = 4503,
    InternalError = 5000,
    ArchivalError = 5001,
}

internal static class AckErrorIds
{
    /// <summary>The symbolic name in the ack's ErrorCode (the Java SDK's AckErrorCode names).</summary>
    public static string Code(this AckErrorId id) => id switch
    {
        AckErrorId.StreamReadError => "STREAM_READ_ERROR",
        AckErrorId.MaxFragmentSizeReached => "MAX_FRAGMENT_SIZE_REACHED",
        AckErrorId.MaxFragmentDurationReached => "MAX_FRAGMENT_DURATION_REACHED",
        AckErrorId.FragmentTimecodeLesserThanPrevious => "FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS",
        AckErrorId.InvalidMkvData => "INVALID_MKV_DATA",
        AckErrorId.InvalidProducerTimestamp => "INVALID_PRODUCER_TIMESTAMP",
        AckErrorId.StreamNotActive => "STREAM_NOT_ACTIVE",
        AckErrorId.FragmentMetadataLimitReached => "FRAGMENT_METADATA_LIMIT_REACHED",
        AckErrorId.TrackNumberMismatch => "TRACK_NUMBER_MISMATCH",
        AckErrorId.FramesMissingForTrack => "FRAMES_MISSING_FOR_TRACK",
        AckErrorId.MoreThanAllowedTracksFound => "MORE_THAN_ALLOWED_TRACKS_FOUND",
        AckErrorId.KmsKeyUnavailable => "KMS_KEY_UNAVAILABLE",
        AckErrorId.ArchivalError => "ARCHIVAL_ERROR",
        _ => "INTERNAL_ERROR",
    };
}
