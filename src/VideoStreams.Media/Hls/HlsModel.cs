namespace VideoStreams.Media.Hls;

/// <summary>EXT-X-PLAYLIST-TYPE values.</summary>
public enum HlsPlaylistType
{
    /// <summary>No EXT-X-PLAYLIST-TYPE tag: a live sliding window.</summary>
    None = 0,
    /// <summary>EVENT: segments are only ever appended.</summary>
    Event,
    /// <summary>VOD: the playlist never changes.</summary>
    Vod,
}

/// <summary>A byte range: <c>length[@offset]</c>, as in EXT-X-BYTERANGE and the BYTERANGE attributes.</summary>
/// <param name="Length">Number of bytes.</param>
/// <param name="Offset">Offset of the first byte in the resource; null means "right after the previous sub-range of the same resource".</param>
public readonly record struct HlsByteRange(long Length, long? Offset = null);

/// <summary>A Media Initialization Section (EXT-X-MAP), e.g. an fMP4 <c>init.mp4</c>.</summary>
/// <param name="Uri">Where the initialization section is.</param>
/// <param name="ByteRange">Sub-range of <paramref name="Uri"/>; its offset is required.</param>
public sealed record HlsMap(string Uri, HlsByteRange? ByteRange = null);

/// <summary>A Partial Segment (EXT-X-PART), listed before the segment it belongs to.</summary>
/// <param name="Duration">Duration in seconds; at most the playlist's <see cref="HlsMediaPlaylist.PartTarget"/>.</param>
/// <param name="Uri">Where the part is.</param>
/// <param name="Independent">True when the part starts with an independent (key) frame.</param>
/// <param name="ByteRange">Sub-range of <paramref name="Uri"/>.</param>
/// <param name="Gap">True when the part is not available.</param>
public sealed record HlsPart(double Duration, string Uri, bool Independent = false, HlsByteRange? ByteRange = null, bool Gap = false);

/// <summary>One Media Segment with the tags that apply to it.</summary>
public sealed record HlsSegment
{
    /// <summary>EXTINF duration in seconds.</summary>
    public required double Duration { get; init; }

    /// <summary>Segment URI line.</summary>
    public required string Uri { get; init; }

    /// <summary>EXT-X-BYTERANGE: the segment is a sub-range of <see cref="Uri"/>.</summary>
    public HlsByteRange? ByteRange { get; init; }

    /// <summary>EXT-X-DISCONTINUITY before this segment (new timeline, encoding or format).</summary>
    public bool Discontinuity { get; init; }

    /// <summary>A new initialization section that applies from this segment on (written right after the discontinuity).</summary>
    public HlsMap? Map { get; init; }

    /// <summary>EXT-X-PROGRAM-DATE-TIME: wall-clock time of the segment's first sample.</summary>
    public DateTimeOffset? ProgramDateTime { get; init; }

    /// <summary>EXT-X-GAP: the segment is missing and must not be loaded.</summary>
    public bool Gap { get; init; }

    /// <summary>Partial segments of this segment (only needed near the live edge).</summary>
    public IReadOnlyList<HlsPart> Parts { get; init; } = [];
}

/// <summary>
/// The segment being produced at the live edge: its partial segments so far, written after the last complete
/// segment. The discontinuity, map and program date-time apply to the segment it will become.
/// </summary>
public sealed record HlsPendingSegment
{
    /// <summary>EXT-X-DISCONTINUITY before the first part.</summary>
    public bool Discontinuity { get; init; }

    /// <summary>A new initialization section for this segment.</summary>
    public HlsMap? Map { get; init; }

    /// <summary>Wall-clock time of the first part's first sample.</summary>
    public DateTimeOffset? ProgramDateTime { get; init; }

    /// <summary>The parts published so far.</summary>
    public IReadOnlyList<HlsPart> Parts { get; init; } = [];
}

/// <summary>EXT-X-SERVER-CONTROL: which delivery directives the server supports.</summary>
public sealed record HlsServerControl
{
    /// <summary>CAN-BLOCK-RELOAD=YES: the server supports blocking playlist reload (<c>_HLS_msn</c>/<c>_HLS_part</c>).</summary>
    public bool CanBlockReload { get; init; }

    /// <summary>HOLD-BACK in seconds (at least three target durations).</summary>
    public double? HoldBack { get; init; }

    /// <summary>PART-HOLD-BACK in seconds (at least two part targets); required with partial segments.</summary>
    public double? PartHoldBack { get; init; }

    /// <summary>CAN-SKIP-UNTIL in seconds (at least six target durations): the server can answer <c>_HLS_skip</c>.</summary>
    public double? CanSkipUntil { get; init; }

    /// <summary>CAN-SKIP-DATERANGES=YES (requires <see cref="CanSkipUntil"/>).</summary>
    public bool CanSkipDateRanges { get; init; }
}

/// <summary>EXT-X-PRELOAD-HINT types.</summary>
public enum HlsPreloadHintType
{
    /// <summary>A partial segment.</summary>
    Part,
    /// <summary>A media initialization section.</summary>
    Map,
}

/// <summary>EXT-X-PRELOAD-HINT: the next resource the server will publish; clients may request it early.</summary>
/// <param name="Type">What the resource is.</param>
/// <param name="Uri">Its URI, the same as it will have once published.</param>
/// <param name="ByteRangeStart">BYTERANGE-START (absent means 0).</param>
/// <param name="ByteRangeLength">BYTERANGE-LENGTH (absent means "to the end of the resource").</param>
public sealed record HlsPreloadHint(HlsPreloadHintType Type, string Uri, long? ByteRangeStart = null, long? ByteRangeLength = null);

/// <summary>EXT-X-RENDITION-REPORT: the live edge of another rendition.</summary>
/// <param name="Uri">The rendition's media playlist, relative to this playlist.</param>
/// <param name="LastMediaSequence">LAST-MSN.</param>
/// <param name="LastPart">LAST-PART, when the rendition has partial segments.</param>
public sealed record HlsRenditionReport(string Uri, long LastMediaSequence, int? LastPart = null);
