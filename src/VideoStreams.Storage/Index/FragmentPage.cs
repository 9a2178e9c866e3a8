using VideoStreams.Storage.Fragments;

namespace VideoStreams.Storage.Index;

/// <summary>
/// A position in a time-ordered listing: the last fragment returned, by its timestamp (on the listing's clock) and
/// number. Stable under concurrent commits: a page that resumes from it neither skips nor repeats a fragment.
/// </summary>
/// <param name="TimestampMs">The timestamp of the last fragment returned, on the listing's clock.</param>
/// <param name="Number">Its fragment number (breaks ties between equal timestamps).</param>
public readonly record struct FragmentCursor(long TimestampMs, long Number);

/// <summary>One page of fragments.</summary>
/// <param name="Fragments">The fragments, in the listing's order.</param>
/// <param name="Next">Where the next page starts, or null when this is the last page.</param>
public sealed record FragmentPage(IReadOnlyList<FragmentEntry> Fragments, FragmentCursor? Next)
{
    /// <summary>An empty, final page.</summary>
    public static FragmentPage Empty { get; } = new([], null);
}
