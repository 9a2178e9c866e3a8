namespace VideoStreams.Media.Matroska;

/// <summary>Limits that keep a reader's memory and work bounded on hostile input.</summary>
public sealed record MatroskaReaderOptions
{
    /// <summary>Default options.</summary>
    public static MatroskaReaderOptions Default { get; } = new();

    /// <summary>
    /// Largest element the reader will need whole (a block, a BlockGroup, Tracks, Tags, …), and the largest element it
    /// will skip. The caller buffers at most one such element. Clusters and Segments are read piecewise and exempt.
    /// Default 64 MiB (KVS caps a whole fragment at 50 MB).
    /// </summary>
    public long MaxElementSize { get; init; } = 64L << 20;

    /// <summary>Deepest nesting accepted inside header elements (nested SimpleTags are the deep ones). Default 16.</summary>
    public int MaxNestingDepth { get; init; } = 16;

    /// <summary>Most tracks a segment may declare. Default 64 (KVS allows 3).</summary>
    public int MaxTracks { get; init; } = 64;
}
