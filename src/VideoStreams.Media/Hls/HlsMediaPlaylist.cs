namespace VideoStreams.Media.Hls;

/// <summary>
/// A Media Playlist (RFC 8216, draft-pantos-hls-rfc8216bis for low-latency tags). A live server keeps one per
/// rendition, updates it as segments and parts are published, and writes it with <see cref="HlsPlaylistWriter"/>.
/// </summary>
public sealed class HlsMediaPlaylist
{
    /// <summary>EXT-X-VERSION; null writes the lowest version the features used need.</summary>
    public int? Version { get; set; }

    /// <summary>
    /// EXT-X-TARGETDURATION in whole seconds; null computes it from the segments. A live playlist must keep the same
    /// value across reloads, so live servers should set it (it is checked against every segment).
    /// </summary>
    public int? TargetDuration { get; set; }

    /// <summary>EXT-X-MEDIA-SEQUENCE: sequence number of the first listed segment.</summary>
    public long MediaSequence { get; set; }

    /// <summary>EXT-X-DISCONTINUITY-SEQUENCE: discontinuities before the first listed segment (written when not 0).</summary>
    public long DiscontinuitySequence { get; set; }

    /// <summary>EXT-X-PLAYLIST-TYPE.</summary>
    public HlsPlaylistType PlaylistType { get; set; }

    /// <summary>EXT-X-INDEPENDENT-SEGMENTS: every segment starts with a key frame.</summary>
    public bool IndependentSegments { get; set; }

    /// <summary>The initialization section for the first segments (EXT-X-MAP before the first segment).</summary>
    public HlsMap? Map { get; set; }

    /// <summary>EXT-X-SERVER-CONTROL (low-latency delivery directives).</summary>
    public HlsServerControl? ServerControl { get; set; }

    /// <summary>EXT-X-PART-INF PART-TARGET in seconds; required when any partial segment is listed.</summary>
    public double? PartTarget { get; set; }

    /// <summary>
    /// EXT-X-SKIP SKIPPED-SEGMENTS: a delta update (<c>_HLS_skip=YES</c>) leaves out this many of the oldest segments,
    /// which the client has from an earlier reload; <see cref="Segments"/> then holds only the ones after them, and
    /// <see cref="MediaSequence"/> stays the sequence number of the first skipped one. 0 writes no tag.
    /// </summary>
    public long SkippedSegments { get; set; }

    /// <summary>The complete segments, oldest first.</summary>
    public IReadOnlyList<HlsSegment> Segments { get; set; } = [];

    /// <summary>The in-progress segment's parts, written after the last complete segment.</summary>
    public HlsPendingSegment? PendingSegment { get; set; }

    /// <summary>EXT-X-PRELOAD-HINT (not allowed with <see cref="EndList"/>).</summary>
    public HlsPreloadHint? PreloadHint { get; set; }

    /// <summary>EXT-X-RENDITION-REPORT tags for the other renditions.</summary>
    public IReadOnlyList<HlsRenditionReport> RenditionReports { get; set; } = [];

    /// <summary>EXT-X-ENDLIST: no more segments will be added.</summary>
    public bool EndList { get; set; }
}
