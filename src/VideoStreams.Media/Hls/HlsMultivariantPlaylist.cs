namespace VideoStreams.Media.Hls;

/// <summary>A Multivariant (master) Playlist: the variant streams a client chooses between.</summary>
public sealed class HlsMultivariantPlaylist
{
    /// <summary>EXT-X-VERSION; null writes none (version 1: no feature here needs more).</summary>
    public int? Version { get; set; }

    /// <summary>EXT-X-INDEPENDENT-SEGMENTS: every segment of every media playlist starts with a key frame.</summary>
    public bool IndependentSegments { get; set; }

    /// <summary>EXT-X-MEDIA renditions (alternative audio, video or subtitles).</summary>
    public IReadOnlyList<HlsRendition> Media { get; set; } = [];

    /// <summary>EXT-X-STREAM-INF variants.</summary>
    public IReadOnlyList<HlsVariantStream> Variants { get; set; } = [];
}

/// <summary>EXT-X-MEDIA TYPE values supported here.</summary>
public enum HlsRenditionType
{
    /// <summary>AUDIO.</summary>
    Audio,
    /// <summary>VIDEO.</summary>
    Video,
    /// <summary>SUBTITLES (a URI is required).</summary>
    Subtitles,
}

/// <summary>One EXT-X-MEDIA rendition.</summary>
public sealed record HlsRendition
{
    /// <summary>TYPE.</summary>
    public required HlsRenditionType Type { get; init; }

    /// <summary>GROUP-ID: the group variants refer to (e.g. in their AUDIO attribute).</summary>
    public required string GroupId { get; init; }

    /// <summary>NAME: a human-readable description, unique in the group.</summary>
    public required string Name { get; init; }

    /// <summary>URI of the rendition's media playlist; null when the media is in the variant's own stream.</summary>
    public string? Uri { get; init; }

    /// <summary>LANGUAGE (RFC 5646 tag).</summary>
    public string? Language { get; init; }

    /// <summary>DEFAULT=YES (requires <see cref="AutoSelect"/>).</summary>
    public bool Default { get; init; }

    /// <summary>AUTOSELECT=YES.</summary>
    public bool AutoSelect { get; init; }

    /// <summary>CHANNELS, e.g. "2".</summary>
    public string? Channels { get; init; }
}

/// <summary>One EXT-X-STREAM-INF variant and its media playlist URI.</summary>
public sealed record HlsVariantStream
{
    /// <summary>BANDWIDTH: peak bits per second.</summary>
    public required long Bandwidth { get; init; }

    /// <summary>URI of the variant's media playlist.</summary>
    public required string Uri { get; init; }

    /// <summary>AVERAGE-BANDWIDTH: average bits per second.</summary>
    public long? AverageBandwidth { get; init; }

    /// <summary>CODECS, RFC 6381 strings separated by commas, e.g. <c>avc1.64001f,mp4a.40.2</c>.</summary>
    public string? Codecs { get; init; }

    /// <summary>RESOLUTION width in pixels (0 = not written).</summary>
    public int Width { get; init; }

    /// <summary>RESOLUTION height in pixels (0 = not written).</summary>
    public int Height { get; init; }

    /// <summary>FRAME-RATE (written with three decimals).</summary>
    public double? FrameRate { get; init; }

    /// <summary>AUDIO: GROUP-ID of the EXT-X-MEDIA TYPE=AUDIO renditions to use.</summary>
    public string? Audio { get; init; }
}
