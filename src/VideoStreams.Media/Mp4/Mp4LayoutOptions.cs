namespace VideoStreams.Media.Mp4;

/// <summary>How <see cref="Mp4FileLayout"/> interleaves the tracks of a progressive MP4.</summary>
public sealed class Mp4LayoutOptions
{
    /// <summary>Default options.</summary>
    public static Mp4LayoutOptions Default { get; } = new();

    /// <summary>
    /// Longest run of one track's samples stored together (a chunk). Shorter chunks interleave more finely, so a
    /// player reading front to back needs less buffering; longer ones make the sample tables smaller. A single
    /// sample longer than this still gets a chunk of its own.
    /// </summary>
    public TimeSpan MaxChunkDuration { get; init; } = TimeSpan.FromSeconds(1);
}
