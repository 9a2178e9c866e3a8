using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Playback.Hls;

/// <summary>One media playlist segment: a stored fragment and the tags that precede it.</summary>
/// <param name="Entry">The fragment.</param>
/// <param name="Sequence">Its media sequence number (also its mfhd sequence number).</param>
/// <param name="Discontinuity">EXT-X-DISCONTINUITY before it.</param>
/// <param name="MapFragment">The fragment whose init (EXT-X-MAP) it needs: the first of its run of equal session headers.</param>
/// <param name="Header">Its session header's id (see <see cref="HlsPackager.HeaderOf"/>).</param>
internal readonly record struct HlsItem(FragmentEntry Entry, long Sequence, bool Discontinuity, long MapFragment, int Header);

/// <summary>What a media playlist lists at one moment.</summary>
/// <param name="Items">The segments, oldest first.</param>
/// <param name="DiscontinuitySequence">Discontinuities before the first listed segment.</param>
/// <param name="TargetDuration">EXT-X-TARGETDURATION (kept from reload to reload for live windows).</param>
/// <param name="Ended">No segment will be added (EXT-X-ENDLIST).</param>
internal sealed record HlsWindow(IReadOnlyList<HlsItem> Items, long DiscontinuitySequence, int TargetDuration, bool Ended)
{
    public long MediaSequence => Items.Count > 0 ? Items[0].Sequence : 0;
}

/// <summary>
/// Chains a session's fragments into segments, one after the other: numbers them and decides the discontinuities
/// (DiscontinuityMode; for ON_DISCONTINUITY a gap or overlap over <see cref="ToleranceMs"/> on the session's clock, or a
/// change of session header) and the init each one needs.
/// </summary>
internal sealed class HlsLinker(HlsSession session, HlsPackager packager, long firstSequence)
{
    public const long ToleranceMs = 50;

    private HlsItem? _last;
    private long _next = firstSequence;

    public HlsItem? Last => _last;

    public HlsItem Add(in FragmentEntry entry)
    {
        var header = packager.HeaderOf(entry);
        var changed = _last is { } p && header != p.Header && header >= 0 && p.Header >= 0;
        var discontinuity = session.Discontinuity switch
        {
            HlsDiscontinuity.Always => true,
            HlsDiscontinuity.Never => false,
            // A new codec configuration needs a discontinuity too (RFC 8216 §4.3.2.3), with its own EXT-X-MAP.
            _ => _last is { } previous && (changed || Math.Abs(session.Selected(entry) - (session.Selected(previous.Entry) + previous.Entry.DurationMs)) > ToleranceMs),
        };
        var map = _last is { } last && !changed ? last.MapFragment : entry.Number;
        var item = new HlsItem(entry, _next++, discontinuity, map, header >= 0 ? header : _last?.Header ?? -1);
        _last = item;
        return item;
    }
}
