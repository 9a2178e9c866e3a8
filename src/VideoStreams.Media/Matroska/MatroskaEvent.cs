namespace VideoStreams.Media.Matroska;

/// <summary>What <see cref="MatroskaReader.TryRead"/> found next.</summary>
public enum MatroskaEventKind
{
    /// <summary>An EBML header was read: see <see cref="MatroskaReader.Header"/>. A stream may hold several documents.</summary>
    EbmlHeader = 1,
    /// <summary>A Segment began (sized or of unknown size).</summary>
    SegmentStart,
    /// <summary>Segment Info was read: see <see cref="MatroskaReader.Info"/>.</summary>
    Info,
    /// <summary>Tracks were read: see <see cref="MatroskaReader.Tracks"/>.</summary>
    Tracks,
    /// <summary>A Tags element was read: see <see cref="MatroskaReader.LastTags"/>.</summary>
    Tags,
    /// <summary>A Cluster began and its Timestamp is known: see <see cref="MatroskaReader.ClusterTimestamp"/>.</summary>
    ClusterStart,
    /// <summary>A frame (one lace of a block): see <see cref="MatroskaEvent.Frame"/>.</summary>
    Frame,
    /// <summary>The current Cluster ended (its size was reached, or a Segment-level element began).</summary>
    ClusterEnd,
    /// <summary>The current Segment ended (its size was reached, a new document began, or the input ended).</summary>
    SegmentEnd,
}

/// <summary>One step of reading a Matroska stream.</summary>
public readonly struct MatroskaEvent
{
    internal MatroskaEvent(MatroskaEventKind kind, long offset, in MatroskaFrame frame = default)
    {
        Kind = kind;
        Offset = offset;
        Frame = frame;
    }

    /// <summary>What was found.</summary>
    public MatroskaEventKind Kind { get; }

    /// <summary>
    /// Offset in the input of the element behind the event; for <see cref="MatroskaEventKind.ClusterEnd"/> and
    /// <see cref="MatroskaEventKind.SegmentEnd"/>, the offset just past the element's last byte.
    /// </summary>
    public long Offset { get; }

    /// <summary>The frame, for <see cref="MatroskaEventKind.Frame"/> events.</summary>
    public MatroskaFrame Frame { get; }
}
