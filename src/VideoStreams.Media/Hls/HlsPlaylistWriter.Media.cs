namespace VideoStreams.Media.Hls;

public static partial class HlsPlaylistWriter
{
    private static void WriteMedia(HlsTextWriter w, HlsMediaPlaylist playlist, int version, int targetDuration)
    {
        w.WriteLine("#EXTM3U"u8);
        w.Write("#EXT-X-VERSION:"u8);
        w.Write(version);
        w.NewLine();
        w.Write("#EXT-X-TARGETDURATION:"u8);
        w.Write(targetDuration);
        w.NewLine();
        if (playlist.ServerControl is { } control
            && (control.CanBlockReload || control.HoldBack is not null || control.PartHoldBack is not null || control.CanSkipUntil is not null))
        {
            WriteServerControl(w, control);
        }

        if (playlist.PartTarget is { } partTarget)
        {
            w.Write("#EXT-X-PART-INF:PART-TARGET="u8);
            w.WriteDecimal(partTarget);
            w.NewLine();
        }

        w.Write("#EXT-X-MEDIA-SEQUENCE:"u8);
        w.Write(playlist.MediaSequence);
        w.NewLine();
        if (playlist.DiscontinuitySequence != 0)
        {
            w.Write("#EXT-X-DISCONTINUITY-SEQUENCE:"u8);
            w.Write(playlist.DiscontinuitySequence);
            w.NewLine();
        }

        if (playlist.SkippedSegments > 0)
        {
            w.Write("#EXT-X-SKIP:SKIPPED-SEGMENTS="u8);
            w.Write(playlist.SkippedSegments);
            w.NewLine();
        }

        if (playlist.PlaylistType != HlsPlaylistType.None)
        {
            w.WriteLine(playlist.PlaylistType == HlsPlaylistType.Vod ? "#EXT-X-PLAYLIST-TYPE:VOD"u8 : "#EXT-X-PLAYLIST-TYPE:EVENT"u8);
        }

        if (playlist.IndependentSegments)
        {
            w.WriteLine("#EXT-X-INDEPENDENT-SEGMENTS"u8);
        }

        var currentMap = playlist.Map;
        if (currentMap is not null)
        {
            WriteMap(w, currentMap);
        }

        var segments = playlist.Segments;
        for (var i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            WriteSegmentStart(w, segment.Discontinuity, segment.Map, segment.ProgramDateTime, ref currentMap);
            WriteParts(w, segment.Parts);
            w.Write("#EXTINF:"u8);
            w.WriteDecimal(segment.Duration);
            w.WriteLine(","u8);
            if (segment.ByteRange is { } range)
            {
                w.Write("#EXT-X-BYTERANGE:"u8);
                w.WriteByteRange(range);
                w.NewLine();
            }

            if (segment.Gap)
            {
                w.WriteLine("#EXT-X-GAP"u8);
            }

            w.WriteText(segment.Uri);
            w.NewLine();
        }

        if (playlist.PendingSegment is { } pending && pending.Parts.Count > 0)
        {
            WriteSegmentStart(w, pending.Discontinuity, pending.Map, pending.ProgramDateTime, ref currentMap);
            WriteParts(w, pending.Parts);
        }

        if (playlist.PreloadHint is { } hint)
        {
            WritePreloadHint(w, hint);
        }

        var reports = playlist.RenditionReports;
        for (var i = 0; i < reports.Count; i++)
        {
            WriteRenditionReport(w, reports[i]);
        }

        if (playlist.EndList)
        {
            w.WriteLine("#EXT-X-ENDLIST"u8);
        }
    }

    // The discontinuity, map and date-time apply to the parent segment and so to its first part: they come first.
    private static void WriteSegmentStart(HlsTextWriter w, bool discontinuity, HlsMap? map, DateTimeOffset? programDateTime, ref HlsMap? currentMap)
    {
        if (discontinuity)
        {
            w.WriteLine("#EXT-X-DISCONTINUITY"u8);
        }

        // A map equal to the one in effect is repeated only after a discontinuity, where players may reset.
        if (map is not null && (discontinuity || map != currentMap))
        {
            WriteMap(w, map);
            currentMap = map;
        }

        if (programDateTime is { } time)
        {
            w.Write("#EXT-X-PROGRAM-DATE-TIME:"u8);
            w.WriteDateTime(time);
            w.NewLine();
        }
    }

    private static void WriteMap(HlsTextWriter w, HlsMap map)
    {
        w.Write("#EXT-X-MAP:URI="u8);
        w.WriteQuoted(map.Uri);
        if (map.ByteRange is { } range)
        {
            w.Write(",BYTERANGE=\""u8);
            w.WriteByteRange(range);
            w.Write("\""u8);
        }

        w.NewLine();
    }

    private static void WriteParts(HlsTextWriter w, IReadOnlyList<HlsPart> parts)
    {
        for (var i = 0; i < parts.Count; i++)
        {
            var part = parts[i];
            w.Write("#EXT-X-PART:DURATION="u8);
            w.WriteDecimal(part.Duration);
            w.Write(",URI="u8);
            w.WriteQuoted(part.Uri);
            if (part.Independent)
            {
                w.Write(",INDEPENDENT=YES"u8);
            }

            if (part.ByteRange is { } range)
            {
                w.Write(",BYTERANGE=\""u8);
                w.WriteByteRange(range);
                w.Write("\""u8);
            }

            if (part.Gap)
            {
                w.Write(",GAP=YES"u8);
            }

            w.NewLine();
        }
    }

    private static void WriteServerControl(HlsTextWriter w, HlsServerControl control)
    {
        w.Write("#EXT-X-SERVER-CONTROL:"u8);
        var separator = false;
        if (control.CanBlockReload)
        {
            w.Write("CAN-BLOCK-RELOAD=YES"u8);
            separator = true;
        }

        WriteDecimalAttribute(w, "CAN-SKIP-UNTIL="u8, control.CanSkipUntil, ref separator);
        if (control.CanSkipDateRanges)
        {
            w.Write(",CAN-SKIP-DATERANGES=YES"u8);
        }

        WriteDecimalAttribute(w, "HOLD-BACK="u8, control.HoldBack, ref separator);
        WriteDecimalAttribute(w, "PART-HOLD-BACK="u8, control.PartHoldBack, ref separator);
        w.NewLine();
    }

    private static void WriteDecimalAttribute(HlsTextWriter w, ReadOnlySpan<byte> name, double? value, ref bool separator)
    {
        if (value is not { } v)
        {
            return;
        }

        if (separator)
        {
            w.Write(","u8);
        }

        w.Write(name);
        w.WriteDecimal(v);
        separator = true;
    }

    private static void WritePreloadHint(HlsTextWriter w, HlsPreloadHint hint)
    {
        w.Write(hint.Type == HlsPreloadHintType.Map ? "#EXT-X-PRELOAD-HINT:TYPE=MAP,URI="u8 : "#EXT-X-PRELOAD-HINT:TYPE=PART,URI="u8);
        w.WriteQuoted(hint.Uri);
        w.Attribute(",BYTERANGE-START="u8, hint.ByteRangeStart);
        w.Attribute(",BYTERANGE-LENGTH="u8, hint.ByteRangeLength);

        w.NewLine();
    }

    private static void WriteRenditionReport(HlsTextWriter w, HlsRenditionReport report)
    {
        w.Write("#EXT-X-RENDITION-REPORT:URI="u8);
        w.WriteQuoted(report.Uri);
        w.Write(",LAST-MSN="u8);
        w.Write(report.LastMediaSequence);
        w.Attribute(",LAST-PART="u8, report.LastPart);

        w.NewLine();
    }
}
