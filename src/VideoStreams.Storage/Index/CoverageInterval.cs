using VideoStreams.Storage.Fragments;

namespace VideoStreams.Storage.Index;

/// <summary>A span one fragment (or one coverage run) covers on one clock of one stream: [Start, End].</summary>
internal readonly record struct CoverageInterval(long StreamId, TimestampKind Kind, long Start, long End)
{
    /// <summary>Orders by stream, clock, then start: the order coverage runs are merged in.</summary>
    public static readonly Comparison<CoverageInterval> Order = static (a, b) =>
    {
        var c = a.StreamId.CompareTo(b.StreamId);
        if (c != 0)
        {
            return c;
        }

        c = a.Kind.CompareTo(b.Kind);
        return c != 0 ? c : a.Start.CompareTo(b.Start);
    };

    public bool SameSeries(in CoverageInterval other) => StreamId == other.StreamId && Kind == other.Kind;
}
