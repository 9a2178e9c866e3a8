using System.Globalization;

namespace VideoStreams.Server.Tests.Playback.Hls;

/// <summary>One segment of a parsed media playlist.</summary>
internal sealed record HlsParsedSegment(long Sequence, double Duration, string Uri, bool Discontinuity, string? Map, DateTimeOffset? ProgramDateTime);

/// <summary>
/// A media playlist as a player reads it, with the RFC 8216 rules our sessions rely on checked while parsing
/// (<see cref="Parse"/>) and between reloads (<see cref="CheckReload"/>).
/// </summary>
internal sealed record HlsParsedPlaylist(
    int Version,
    int TargetDuration,
    long MediaSequence,
    long DiscontinuitySequence,
    string? PlaylistType,
    bool IndependentSegments,
    bool EndList,
    IReadOnlyList<HlsParsedSegment> Segments)
{
    public static HlsParsedPlaylist Parse(string text)
    {
        var lines = text.Split('\n');
        Assert.Equal("#EXTM3U", lines[0]);
        Assert.True(text.EndsWith('\n'), "a playlist ends with a line break");
        int? version = null, target = null;
        long? sequence = null, discontinuitySequence = null;
        string? type = null, map = null, pendingMap = null;
        bool independent = false, endList = false, discontinuity = false;
        double? duration = null;
        DateTimeOffset? pdt = null;
        var segments = new List<HlsParsedSegment>();
        var seen = new HashSet<string>();
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            if (!line.StartsWith('#'))
            {
                Assert.True(duration is not null, $"URI line {line} without EXTINF before it");
                Assert.True(map is not null || pendingMap is not null, "fMP4 segments need an EXT-X-MAP before them");
                Assert.False(endList, "no segment after EXT-X-ENDLIST");
                segments.Add(new HlsParsedSegment((sequence ?? 0) + segments.Count, duration!.Value, line, discontinuity, pendingMap ?? map, pdt));
                map = pendingMap ?? map;
                (duration, discontinuity, pendingMap, pdt) = (null, false, null, null);
                continue;
            }

            var colon = line.IndexOf(':');
            var tag = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (tag is "#EXT-X-VERSION" or "#EXT-X-TARGETDURATION" or "#EXT-X-MEDIA-SEQUENCE" or "#EXT-X-DISCONTINUITY-SEQUENCE" or "#EXT-X-PLAYLIST-TYPE" or "#EXT-X-ENDLIST" or "#EXT-X-INDEPENDENT-SEGMENTS")
            {
                Assert.True(seen.Add(tag), $"{tag} appears twice");
                Assert.True(tag == "#EXT-X-ENDLIST" || segments.Count == 0, $"{tag} must come before the first segment");
            }

            switch (tag)
            {
                case "#EXT-X-VERSION": version = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "#EXT-X-TARGETDURATION": target = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "#EXT-X-MEDIA-SEQUENCE": sequence = long.Parse(value, CultureInfo.InvariantCulture); break;
                case "#EXT-X-DISCONTINUITY-SEQUENCE": discontinuitySequence = long.Parse(value, CultureInfo.InvariantCulture); break;
                case "#EXT-X-PLAYLIST-TYPE": type = value; break;
                case "#EXT-X-INDEPENDENT-SEGMENTS": independent = true; break;
                case "#EXT-X-ENDLIST": endList = true; break;
                case "#EXT-X-DISCONTINUITY": discontinuity = true; break;
                case "#EXT-X-PROGRAM-DATE-TIME": pdt = DateTimeOffset.Parse(value, CultureInfo.InvariantCulture); break;
                case "#EXTINF":
                    duration = double.Parse(value.TrimEnd(',').Split(',')[0], CultureInfo.InvariantCulture);
                    break;
                case "#EXT-X-MAP":
                    Assert.StartsWith("URI=\"", value);
                    var uri = value[5..value.IndexOf('"', 5)];
                    if (segments.Count == 0 && duration is null && map is null)
                    {
                        map = uri;
                    }
                    else
                    {
                        pendingMap = uri;
                    }

                    break;
            }
        }

        Assert.True(target is not null, "EXT-X-TARGETDURATION is required");
        Assert.True(version is >= 6, "EXT-X-MAP with fMP4 needs EXT-X-VERSION 6 or more");
        Assert.True(duration is null, "EXTINF without a URI at the end");
        foreach (var s in segments)
        {
            // RFC 8216 §4.3.3.1: each EXTINF, rounded to the nearest integer, is at most the target duration.
            Assert.True((int)Math.Round(s.Duration, MidpointRounding.AwayFromZero) <= target, $"EXTINF {s.Duration} over target {target}");
            Assert.True(s.Duration > 0, "EXTINF must be positive");
        }

        if (type == "VOD")
        {
            Assert.True(endList, "a VOD playlist has EXT-X-ENDLIST");
        }

        return new HlsParsedPlaylist(version!.Value, target!.Value, sequence ?? 0, discontinuitySequence ?? 0, type, independent, endList, segments);
    }

    /// <summary>The FragmentNumber a segment URI names.</summary>
    public static string FragmentOf(string uri) => uri.Split('?', 2)[1].Split('&').Single(p => p.StartsWith("FragmentNumber=", StringComparison.Ordinal))[15..];

    /// <summary>RFC 8216 §6.2.1–6.2.2 between two loads of one live playlist.</summary>
    public void CheckReload(HlsParsedPlaylist next)
    {
        Assert.Equal(TargetDuration, next.TargetDuration);
        Assert.True(next.MediaSequence >= MediaSequence, $"media sequence went back from {MediaSequence} to {next.MediaSequence}");
        // A segment keeps its sequence number, and its place, from load to load.
        var before = Segments.ToDictionary(s => FragmentOf(s.Uri), s => s.Sequence);
        foreach (var s in next.Segments)
        {
            if (before.TryGetValue(FragmentOf(s.Uri), out var sequence))
            {
                Assert.Equal(sequence, s.Sequence);
            }
        }

        // The discontinuity sequence grows by the discontinuities of the segments that left the window.
        var removed = Segments.Where(s => s.Sequence < next.MediaSequence).Count(s => s.Discontinuity);
        if (next.MediaSequence <= Segments[^1].Sequence + 1)
        {
            Assert.Equal(DiscontinuitySequence + removed, next.DiscontinuitySequence);
        }
        else
        {
            Assert.True(next.DiscontinuitySequence >= DiscontinuitySequence + removed);
        }
    }
}
