using System.Globalization;
using VideoStreams.Media.Hls;

namespace VideoStreams.Server.Playback.Hls.LowLatency;

/// <summary>
/// The media playlist of a channel view. Low latency: EXT-X-SERVER-CONTROL (CAN-BLOCK-RELOAD, PART-HOLD-BACK = 3 part
/// targets, HOLD-BACK = 3 target durations, CAN-SKIP-UNTIL = 6 target durations), EXT-X-PART-INF, the parts of the
/// segments within three target durations of the live edge and of the segment in progress, and EXT-X-PRELOAD-HINT for
/// the next part; with <c>_HLS_skip</c> the segments the client already has (those before the last CAN-SKIP-UNTIL
/// seconds) become EXT-X-SKIP. Every segment carries EXT-X-PROGRAM-DATE-TIME. Players that do not know the
/// low-latency tags ignore them and read a standard live playlist of the complete segments.
/// </summary>
internal static class LlPlaylist
{
    /// <param name="view">What the channel holds.</param>
    /// <param name="token">The session token, repeated in every URI.</param>
    /// <param name="lowLatency">LL-HLS tags; else a standard live playlist of the newest <paramref name="maxSegments"/>.</param>
    /// <param name="skip">A delta update was asked for (<c>_HLS_skip</c>).</param>
    /// <param name="maxSegments">MaxMediaPlaylistFragmentResults, for standard playlists.</param>
    public static HlsMediaPlaylist Build(LlView view, string token, bool lowLatency, bool skip, int maxSegments)
    {
        var target = view.TargetDuration;
        var skipUntil = 6.0 * target;
        IReadOnlyList<LlSegment> segments = view.Segments;
        var discontinuitySequence = view.DiscontinuitySequence;
        if (!lowLatency && segments.Count > maxSegments)
        {
            var dropped = segments.Count - maxSegments;
            discontinuitySequence += segments.Take(dropped).Count(s => s.Discontinuity);
            segments = [.. segments.Skip(dropped)];
        }

        // Delta update: skip the oldest segments as long as the ones after them still cover CAN-SKIP-UNTIL.
        var skipped = 0;
        if (lowLatency && skip)
        {
            var after = 0.0;
            for (var i = segments.Count - 1; i >= 0; i--)
            {
                if (after >= skipUntil)
                {
                    skipped = i + 1;
                    break;
                }

                after += segments[i].Duration;
            }
        }

        // Parts are listed for the segments within three target durations of the end (and the one in progress).
        var partsFrom = segments.Count;
        var fromEnd = Sum(view.CurrentParts);
        for (var i = segments.Count - 1; i >= 0 && fromEnd < 3 * target; i--)
        {
            partsFrom = i;
            fromEnd += segments[i].Duration;
        }

        var listed = new HlsSegment[segments.Count - skipped];
        for (var i = skipped; i < segments.Count; i++)
        {
            var segment = segments[i];
            listed[i - skipped] = new HlsSegment
            {
                Duration = segment.Duration,
                Uri = SegmentUri(token, view.Epoch, segment.Msn),
                Discontinuity = segment.Discontinuity,
                Map = Map(token, view.Epoch, segment.Init),
                ProgramDateTime = segment.ProgramDateTime,
                Parts = lowLatency && i >= partsFrom ? Parts(token, view.Epoch, segment.Msn, segment.Parts) : [],
            };
        }

        var first = skipped < segments.Count ? segments[skipped] : view.Current!;
        var playlist = new HlsMediaPlaylist
        {
            TargetDuration = target,
            MediaSequence = segments.Count > 0 ? segments[0].Msn : view.Current!.Msn,
            DiscontinuitySequence = discontinuitySequence,
            IndependentSegments = true,
            Map = Map(token, view.Epoch, first.Init),
            Segments = listed,
            SkippedSegments = skipped,
        };

        if (lowLatency)
        {
            playlist.PartTarget = view.PartTarget;
            playlist.ServerControl = new HlsServerControl
            {
                CanBlockReload = true,
                HoldBack = 3.0 * target,
                PartHoldBack = Math.Round(3 * view.PartTarget, 3),
                CanSkipUntil = skipUntil,
            };
            if (view.Current is { } current)
            {
                playlist.PendingSegment = new HlsPendingSegment
                {
                    Discontinuity = current.Discontinuity,
                    Map = Map(token, view.Epoch, current.Init),
                    ProgramDateTime = current.ProgramDateTime,
                    Parts = Parts(token, view.Epoch, current.Msn, view.CurrentParts),
                };
                playlist.PreloadHint = new HlsPreloadHint(HlsPreloadHintType.Part, PartUri(token, view.Epoch, current.Msn, view.CurrentParts.Length));
            }
            else
            {
                playlist.PreloadHint = new HlsPreloadHint(HlsPreloadHintType.Part, PartUri(token, view.Epoch, view.NextMsn, 0));
            }
        }

        return playlist;
    }

    public static string SegmentUri(string token, long epoch, long msn) =>
        string.Create(CultureInfo.InvariantCulture, $"{HlsResources.SegmentName}?SessionToken={token}&TrackNumber=1&Epoch={epoch}&MSN={msn}");

    public static string PartUri(string token, long epoch, long msn, int part) =>
        string.Create(CultureInfo.InvariantCulture, $"{LlResources.PartName}?SessionToken={token}&TrackNumber=1&Epoch={epoch}&MSN={msn}&Part={part}");

    private static HlsMap Map(string token, long epoch, LlInit init) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{HlsResources.InitName}?SessionToken={token}&TrackNumber=1&Epoch={epoch}&Init={init.Id}"));

    private static HlsPart[] Parts(string token, long epoch, long msn, LlPart[] parts)
    {
        var listed = new HlsPart[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            listed[i] = new HlsPart(parts[i].Duration, PartUri(token, epoch, msn, i), parts[i].Independent);
        }

        return listed;
    }

    private static double Sum(LlPart[] parts)
    {
        double total = 0;
        foreach (var part in parts)
        {
            total += part.Duration;
        }

        return total;
    }
}
