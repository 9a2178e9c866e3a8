namespace VideoStreams.Media.Hls;

public static partial class HlsPlaylistWriter
{
    // Far above any real duration, and small enough that "F3" output stays short.
    private const double MaxSeconds = 1e9;

    private static (int Version, int TargetDuration) Validate(HlsMediaPlaylist playlist)
    {
        if (playlist.MediaSequence < 0 || playlist.DiscontinuitySequence < 0)
        {
            throw new ArgumentException("EXT-X-MEDIA-SEQUENCE and EXT-X-DISCONTINUITY-SEQUENCE cannot be negative.");
        }

        if (playlist.SkippedSegments < 0 || (playlist.SkippedSegments > 0 && playlist.ServerControl?.CanSkipUntil is null))
        {
            throw new ArgumentException("EXT-X-SKIP needs a non-negative count and EXT-X-SERVER-CONTROL CAN-SKIP-UNTIL.");
        }

        var needed = ComputeTargetDuration(playlist.Segments);
        var targetDuration = playlist.TargetDuration ?? needed;
        if (targetDuration < needed)
        {
            throw new ArgumentException(
                $"EXT-X-TARGETDURATION {targetDuration} is shorter than a segment: the longest EXTINF rounds to {needed} s.");
        }

        if (targetDuration < 1)
        {
            throw new ArgumentException("EXT-X-TARGETDURATION must be at least 1.");
        }

        var minimumVersion = MinimumVersion(playlist);
        var version = playlist.Version ?? minimumVersion;
        if (version < minimumVersion)
        {
            throw new ArgumentException($"EXT-X-VERSION {version} is too low for the features used (needs {minimumVersion}).");
        }

        if (playlist.Map is { } map)
        {
            CheckMap(map);
        }

        if (playlist.PartTarget is { } partTarget)
        {
            CheckSeconds(partTarget);
            if (partTarget <= 0)
            {
                throw new ArgumentException("PART-TARGET must be positive.");
            }
        }

        CheckServerControl(playlist, targetDuration);

        var segments = playlist.Segments;
        HlsSegment? previous = null;
        for (var i = 0; i < segments.Count; i++)
        {
            var segment = segments[i] ?? throw new ArgumentException($"Segment {i} is null.");
            CheckSeconds(segment.Duration);
            CheckUriLine(segment.Uri);
            if (segment.Map is { } segmentMap)
            {
                CheckMap(segmentMap);
            }

            if (segment.ByteRange is { } range)
            {
                CheckRange(range);
                if (range.Offset is null && (previous?.ByteRange is null || previous.Uri != segment.Uri))
                {
                    throw new ArgumentException(
                        $"Segment {segment.Uri}: a BYTERANGE without offset must follow a sub-range of the same resource.");
                }
            }

            CheckParts(segment.Parts, playlist.PartTarget);
            previous = segment;
        }

        if (playlist.PendingSegment is { } pending)
        {
            if (pending.Map is { } pendingMap)
            {
                CheckMap(pendingMap);
            }

            CheckParts(pending.Parts, playlist.PartTarget);
        }

        if (playlist.PreloadHint is { } hint)
        {
            if (playlist.EndList)
            {
                throw new ArgumentException("A playlist with EXT-X-ENDLIST cannot carry EXT-X-PRELOAD-HINT.");
            }

            CheckQuotedUri(hint.Uri);
            if (hint.ByteRangeStart < 0 || hint.ByteRangeLength < 0)
            {
                throw new ArgumentException("EXT-X-PRELOAD-HINT byte range cannot be negative.");
            }
        }

        var reports = playlist.RenditionReports;
        for (var i = 0; i < reports.Count; i++)
        {
            var report = reports[i] ?? throw new ArgumentException($"Rendition report {i} is null.");
            CheckQuotedUri(report.Uri);
            if (report.LastMediaSequence < 0 || report.LastPart < 0)
            {
                throw new ArgumentException("EXT-X-RENDITION-REPORT LAST-MSN and LAST-PART cannot be negative.");
            }
        }

        return (version, targetDuration);
    }

    private static void CheckServerControl(HlsMediaPlaylist playlist, int targetDuration)
    {
        var control = playlist.ServerControl;
        if (playlist.PartTarget is { } partTarget && control?.PartHoldBack is null)
        {
            throw new ArgumentException("A playlist with EXT-X-PART-INF needs EXT-X-SERVER-CONTROL PART-HOLD-BACK.");
        }

        if (control is null)
        {
            return;
        }

        if (control.HoldBack is { } holdBack)
        {
            CheckSeconds(holdBack);
            if (AsWritten(holdBack) < 3 * targetDuration)
            {
                throw new ArgumentException($"HOLD-BACK must be at least three target durations ({3 * targetDuration} s).");
            }
        }

        if (control.PartHoldBack is { } partHoldBack)
        {
            CheckSeconds(partHoldBack);
            var target = playlist.PartTarget
                ?? throw new ArgumentException("PART-HOLD-BACK needs EXT-X-PART-INF (set PartTarget).");
            if (AsWritten(partHoldBack) < 2 * AsWritten(target))
            {
                throw new ArgumentException("PART-HOLD-BACK must be at least twice PART-TARGET.");
            }
        }

        if (control.CanSkipUntil is { } skipUntil)
        {
            CheckSeconds(skipUntil);
            if (AsWritten(skipUntil) < 6 * targetDuration)
            {
                throw new ArgumentException($"CAN-SKIP-UNTIL must be at least six target durations ({6 * targetDuration} s).");
            }
        }
        else if (control.CanSkipDateRanges)
        {
            throw new ArgumentException("CAN-SKIP-DATERANGES needs CAN-SKIP-UNTIL.");
        }
    }

    private static void CheckParts(IReadOnlyList<HlsPart> parts, double? partTarget)
    {
        if (parts is null || parts.Count == 0)
        {
            return;
        }

        var target = partTarget ?? throw new ArgumentException("Partial segments need EXT-X-PART-INF: set PartTarget.");
        HlsPart? previous = null;
        for (var i = 0; i < parts.Count; i++)
        {
            var part = parts[i] ?? throw new ArgumentException($"Part {i} is null.");
            CheckSeconds(part.Duration);
            CheckQuotedUri(part.Uri);
            if (AsWritten(part.Duration) > AsWritten(target))
            {
                throw new ArgumentException($"Part {part.Uri} lasts {part.Duration} s, more than PART-TARGET {target} s.");
            }

            if (part.ByteRange is { } range)
            {
                CheckRange(range);
                if (range.Offset is null && (previous?.ByteRange is null || previous.Uri != part.Uri))
                {
                    throw new ArgumentException(
                        $"Part {part.Uri}: a BYTERANGE without offset must follow a sub-range of the same resource in the same segment.");
                }
            }

            previous = part;
        }
    }

    private static void CheckMap(HlsMap map)
    {
        CheckQuotedUri(map.Uri);
        if (map.ByteRange is { } range)
        {
            CheckRange(range);
            if (range.Offset is null)
            {
                throw new ArgumentException($"EXT-X-MAP {map.Uri}: a BYTERANGE needs its offset.");
            }
        }
    }

    private static void CheckRange(HlsByteRange range)
    {
        if (range.Length < 0 || range.Offset < 0)
        {
            throw new ArgumentException("A byte range cannot be negative.");
        }
    }

    private static void CheckSeconds(double seconds)
    {
        if (!double.IsFinite(seconds) || seconds < 0 || seconds > MaxSeconds)
        {
            throw new ArgumentException($"{seconds} is not a valid duration in seconds.");
        }
    }

    /// <summary>A URI on a line of its own: a line break would start a new line and '#' a tag.</summary>
    private static void CheckUriLine(string uri)
    {
        if (string.IsNullOrEmpty(uri) || uri[0] == '#' || uri.AsSpan().IndexOfAny('\r', '\n') >= 0 || uri.Trim().Length == 0)
        {
            throw new ArgumentException($"'{uri}' cannot be a playlist URI line.");
        }
    }

    /// <summary>A URI inside a quoted-string attribute value.</summary>
    private static void CheckQuotedUri(string uri)
    {
        if (string.IsNullOrEmpty(uri))
        {
            throw new ArgumentException("A URI attribute cannot be empty.");
        }

        CheckQuotedText(uri, "URI");
    }

    /// <summary>quoted-string: no CR, LF or double quote.</summary>
    private static void CheckQuotedText(string? value, string attribute)
    {
        if (value is not null && value.AsSpan().IndexOfAny('\r', '\n', '"') >= 0)
        {
            throw new ArgumentException($"{attribute} '{value}' contains a line break or a double quote.");
        }
    }
}
