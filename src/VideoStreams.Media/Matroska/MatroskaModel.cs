namespace VideoStreams.Media.Matroska;

/// <summary>Matroska track types (TrackType element values).</summary>
public enum MatroskaTrackType
{
    /// <summary>Video (1).</summary>
    Video = 1,
    /// <summary>Audio (2).</summary>
    Audio = 2,
    /// <summary>Complex (3): mixed audio and video.</summary>
    Complex = 3,
    /// <summary>Logo (0x10).</summary>
    Logo = 0x10,
    /// <summary>Subtitle (0x11).</summary>
    Subtitle = 0x11,
    /// <summary>Buttons (0x12).</summary>
    Buttons = 0x12,
    /// <summary>Control (0x20).</summary>
    Control = 0x20,
    /// <summary>Metadata (0x21).</summary>
    Metadata = 0x21,
}

/// <summary>The EBML header: what kind of document follows.</summary>
/// <param name="DocType">"matroska" or "webm".</param>
/// <param name="DocTypeVersion">Version of the document type used to write the file.</param>
/// <param name="DocTypeReadVersion">Minimum reader version needed.</param>
public sealed record EbmlHeader(string DocType, ulong DocTypeVersion, ulong DocTypeReadVersion);

/// <summary>Segment Info: the timestamp scale and who wrote the file.</summary>
public sealed record MatroskaSegmentInfo
{
    /// <summary>Nanoseconds per timestamp tick. 1 000 000 (1 ms) unless the file says otherwise.</summary>
    public ulong TimestampScale { get; init; } = 1_000_000;

    /// <summary>Duration in timestamp ticks, when the writer knew it.</summary>
    public double? Duration { get; init; }

    /// <summary>Library that muxed the file.</summary>
    public string? MuxingApp { get; init; }

    /// <summary>Application that wrote the file.</summary>
    public string? WritingApp { get; init; }

    /// <summary>Title of the segment.</summary>
    public string? Title { get; init; }
}

/// <summary>One track as declared in Tracks.</summary>
public sealed record MatroskaTrack
{
    /// <summary>Number used by blocks to refer to this track (≥ 1).</summary>
    public required ulong Number { get; init; }

    /// <summary>Unique id of the track (tags target it).</summary>
    public ulong Uid { get; init; }

    /// <summary>Video, audio, …</summary>
    public required MatroskaTrackType Type { get; init; }

    /// <summary>Codec id, e.g. <c>V_MPEG4/ISO/AVC</c> or <c>A_AAC</c>.</summary>
    public required string CodecId { get; init; }

    /// <summary>Codec configuration: the AVCDecoderConfigurationRecord for H.264, the AudioSpecificConfig for AAC.</summary>
    public ReadOnlyMemory<byte> CodecPrivate { get; init; }

    /// <summary>Nominal frame duration in nanoseconds (0 when absent).</summary>
    public ulong DefaultDuration { get; init; }

    /// <summary>Track name.</summary>
    public string? Name { get; init; }

    /// <summary>Language (ISO 639-2), "eng" when absent as the spec says.</summary>
    public string Language { get; init; } = "eng";

    /// <summary>Video: pixel width (0 for non-video tracks).</summary>
    public int PixelWidth { get; init; }

    /// <summary>Video: pixel height (0 for non-video tracks).</summary>
    public int PixelHeight { get; init; }

    /// <summary>Audio: sampling frequency in Hz (0 for non-audio tracks).</summary>
    public double SamplingFrequency { get; init; }

    /// <summary>Audio: channel count (0 for non-audio tracks).</summary>
    public int Channels { get; init; }

    /// <summary>Audio: bits per sample (0 when absent).</summary>
    public int BitDepth { get; init; }

    /// <summary>Codec delay in nanoseconds (0 when absent).</summary>
    public ulong CodecDelay { get; init; }

    /// <summary>True for H.264 under either of its codec ids (<c>V_MPEG4/ISO/AVC</c> or the older <c>V_MPEG/ISO/AVC</c>).</summary>
    public bool IsH264 => CodecId is "V_MPEG4/ISO/AVC" or "V_MPEG/ISO/AVC";

    /// <summary>True for AAC (<c>A_AAC</c> and the legacy <c>A_AAC/MPEG4/…</c> ids).</summary>
    public bool IsAac => CodecId.StartsWith("A_AAC", StringComparison.Ordinal);
}

/// <summary>One SimpleTag: a name and a string (or binary) value.</summary>
/// <param name="Name">Tag name, e.g. <c>AWS_KINESISVIDEO_FRAGMENT_NUMBER</c>.</param>
/// <param name="Value">String value (null when the tag carries a binary value).</param>
public sealed record MatroskaSimpleTag(string Name, string? Value)
{
    /// <summary>Binary value, when the tag has one.</summary>
    public ReadOnlyMemory<byte> Binary { get; init; }

    /// <summary>Nested simple tags.</summary>
    public IReadOnlyList<MatroskaSimpleTag> Children { get; init; } = [];
}

/// <summary>One Tag element: a target (a track, or the whole segment when empty) and its simple tags.</summary>
/// <param name="TrackUids">Tracks this tag applies to; empty for the whole segment.</param>
/// <param name="SimpleTags">The name/value pairs.</param>
public sealed record MatroskaTag(IReadOnlyList<ulong> TrackUids, IReadOnlyList<MatroskaSimpleTag> SimpleTags)
{
    /// <summary>TargetTypeValue (50 = episode/whole item when absent).</summary>
    public ulong TargetTypeValue { get; init; } = 50;
}
