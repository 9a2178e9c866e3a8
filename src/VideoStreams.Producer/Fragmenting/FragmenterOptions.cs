namespace VideoStreams.Producer.Fragmenting;

/// <summary>How a <see cref="Fragmenter"/> cuts and describes fragments.</summary>
public sealed record FragmenterOptions
{
    /// <summary>The shortest fragment duration accepted (1 s).</summary>
    public static readonly TimeSpan MinFragmentDuration = TimeSpan.FromSeconds(1);

    /// <summary>The longest fragment KVS accepts (10 s, error 4002 beyond).</summary>
    public static readonly TimeSpan MaxFragmentDurationLimit = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A new fragment starts on the first key frame at least this long after the current fragment's start
    /// (1–10 s, default 2 s, as the KVS producer SDK).
    /// </summary>
    public TimeSpan FragmentDuration { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// When no key frame comes for this long, the fragment is cut anyway on the next frame (which is then not a key
    /// frame), so that no fragment exceeds KVS's limit. At least <see cref="FragmentDuration"/>, at most 10 s.
    /// </summary>
    public TimeSpan MaxFragmentDuration { get; init; } = MaxFragmentDurationLimit;

    /// <summary>Stream name, used as the metric tag <c>videostreams.producer.stream</c>.</summary>
    public string StreamName { get; init; } = "default";

    /// <summary>First sequence number given out (continue from the spool's <c>NextSequenceNumber</c> after a restart).</summary>
    public long FirstSequenceNumber { get; init; }

    /// <summary>Name of the video track (≤ 32 characters, as the KVS SDK allows).</summary>
    public string VideoTrackName { get; init; } = "video";

    /// <summary>Adds a second track for time-series data; every fragment then carries at least one sample of it.</summary>
    public bool EnableDataTrack { get; init; }

    /// <summary>Codec id of the data track (≤ 32 ASCII characters).</summary>
    public string DataTrackCodecId { get; init; } = "D_VIDEOSTREAMS/TIMESERIES";

    /// <summary>Name of the data track.</summary>
    public string DataTrackName { get; init; } = "data";

    /// <summary>Title written in Segment Info (optional).</summary>
    public string? Title { get; init; }

    /// <summary>Nominal frame rate, written as the video track's DefaultDuration (0 = not written).</summary>
    public double FrameRate { get; init; }

    /// <summary>
    /// Lays each fragment out so that it can be sent frame by frame while it is captured (see
    /// <see cref="Fragmenter.FragmentInProgress"/> and <see cref="Upload.LiveFragmentFeed"/>): its Tags are written
    /// when it starts, before its Cluster, so that every byte is final once written and the completed fragment is
    /// exactly the bytes written so far. A tag added while a fragment is open then goes with the next fragment
    /// (the open one's start has already been sent). Off: the tags added up to the fragment's end go with it.
    /// </summary>
    public bool FramesAsCaptured { get; init; }

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentException">A duration, name or codec id is out of range.</exception>
    public void Validate()
    {
        if (FragmentDuration < MinFragmentDuration || FragmentDuration > MaxFragmentDurationLimit)
        {
            throw new ArgumentException($"FragmentDuration must be 1–10 s, not {FragmentDuration}.", nameof(FragmentDuration));
        }

        if (MaxFragmentDuration < FragmentDuration || MaxFragmentDuration > MaxFragmentDurationLimit)
        {
            throw new ArgumentException($"MaxFragmentDuration must be between FragmentDuration and 10 s, not {MaxFragmentDuration}.", nameof(MaxFragmentDuration));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(FirstSequenceNumber);
        CheckName(VideoTrackName, nameof(VideoTrackName));
        CheckName(DataTrackName, nameof(DataTrackName));
        CheckName(DataTrackCodecId, nameof(DataTrackCodecId));
        if (!System.Text.Ascii.IsValid(DataTrackCodecId))
        {
            throw new ArgumentException("The data track's codec id must be ASCII.", nameof(DataTrackCodecId));
        }

        if (!double.IsFinite(FrameRate) || FrameRate < 0)
        {
            throw new ArgumentException("FrameRate must be finite and not negative.", nameof(FrameRate));
        }
    }

    private static void CheckName(string value, string name)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 32)
        {
            throw new ArgumentException($"{name} must have 1–32 characters.", name);
        }
    }
}

/// <summary>How the NAL units of an access unit are framed.</summary>
public enum AccessUnitFormat
{
    /// <summary>Annex B: start codes (<c>00 00 01</c> or <c>00 00 00 01</c>), as encoders and RTSP depacketisers give.</summary>
    AnnexB,

    /// <summary>Four-byte big-endian length prefixes (AVCC), as MP4 and Matroska store them.</summary>
    Avcc,
}

/// <summary>What <see cref="Fragmenter.AddTag"/> did with a tag.</summary>
public enum FragmentTagStatus
{
    /// <summary>
    /// The tag will be written before the fragment in progress (or the next one, if none is open, or with
    /// <see cref="FragmenterOptions.FramesAsCaptured"/>).
    /// </summary>
    Added,

    /// <summary>A tag of the same name was pending; its value was replaced.</summary>
    Replaced,

    /// <summary>The fragment already has 10 tags (KVS error 4009 beyond).</summary>
    TooManyTags,

    /// <summary>The name is empty or longer than 128 UTF-8 bytes.</summary>
    InvalidName,

    /// <summary>The value is longer than 256 UTF-8 bytes.</summary>
    ValueTooLong,

    /// <summary>The name starts with <c>AWS</c>, which KVS reserves for its own tags.</summary>
    ReservedName,
}
