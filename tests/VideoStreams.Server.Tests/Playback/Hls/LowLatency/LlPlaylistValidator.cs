using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace VideoStreams.Server.Tests.Playback.Hls.LowLatency;

/// <summary>One EXT-X-PART line.</summary>
internal sealed record LlParsedPart(double Duration, string Uri, bool Independent);

/// <summary>A segment (complete, with a URI) or the one in progress (parts only, <see cref="Uri"/> null).</summary>
internal sealed record LlParsedSegment(long Msn, double? Duration, string? Uri, bool Discontinuity, string? Map, DateTimeOffset? ProgramDateTime, IReadOnlyList<LlParsedPart> Parts);

/// <summary>A low-latency media playlist as a player reads it.</summary>
internal sealed partial record LlParsedPlaylist(
    string Text,
    int Version,
    int TargetDuration,
    long MediaSequence,
    long DiscontinuitySequence,
    double? PartTarget,
    bool CanBlockReload,
    double? PartHoldBack,
    double? HoldBack,
    double? CanSkipUntil,
    long Skipped,
    IReadOnlyList<LlParsedSegment> Segments,
    LlParsedSegment? InProgress,
    IReadOnlyList<string> PreloadHints)
{
    /// <summary>The newest segment's sequence number (in progress or complete).</summary>
    public long LastMsn => InProgress?.Msn ?? Segments[^1].Msn;

    public IEnumerable<LlParsedSegment> All => InProgress is null ? Segments : [.. Segments, InProgress];

    public static LlParsedPlaylist Parse(string text)
    {
        var lines = text.Split('\n');
        Assert.Equal("#EXTM3U", lines[0]);
        int version = 0, target = 0;
        long sequence = 0, discontinuitySequence = 0, skipped = 0;
        double? partTarget = null, partHoldBack = null, holdBack = null, skipUntil = null;
        var canBlock = false;
        var segments = new List<LlParsedSegment>();
        var hints = new List<string>();
        var parts = new List<LlParsedPart>();
        double? duration = null;
        var discontinuity = false;
        string? map = null;
        DateTimeOffset? pdt = null;
        var sawFirstSegmentTag = false;
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            if (!line.StartsWith('#'))
            {
                Assert.True(duration is not null, $"URI {line} without EXTINF");
                segments.Add(new LlParsedSegment(sequence + skipped + segments.Count, duration, line, discontinuity, map, pdt, parts));
                (duration, discontinuity, pdt, parts) = (null, false, null, []);
                continue;
            }

            var colon = line.IndexOf(':');
            var tag = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            switch (tag)
            {
                case "#EXT-X-VERSION": version = Int(value); break;
                case "#EXT-X-TARGETDURATION": target = Int(value); break;
                case "#EXT-X-MEDIA-SEQUENCE": sequence = Int(value); break;
                case "#EXT-X-DISCONTINUITY-SEQUENCE": discontinuitySequence = Int(value); break;
                case "#EXT-X-PART-INF": partTarget = Number(Attribute(value, "PART-TARGET")); break;
                case "#EXT-X-SERVER-CONTROL":
                    canBlock = Attribute(value, "CAN-BLOCK-RELOAD") == "YES";
                    partHoldBack = Number(Attribute(value, "PART-HOLD-BACK"));
                    holdBack = Number(Attribute(value, "HOLD-BACK"));
                    skipUntil = Number(Attribute(value, "CAN-SKIP-UNTIL"));
                    break;
                case "#EXT-X-SKIP":
                    Assert.False(sawFirstSegmentTag, "EXT-X-SKIP comes before the segments");
                    skipped = Int(Attribute(value, "SKIPPED-SEGMENTS")!);
                    break;
                case "#EXT-X-MAP": map = Attribute(value, "URI"); break;
                case "#EXT-X-DISCONTINUITY": discontinuity = true; sawFirstSegmentTag = true; break;
                case "#EXT-X-PROGRAM-DATE-TIME": pdt = DateTimeOffset.Parse(value, CultureInfo.InvariantCulture); sawFirstSegmentTag = true; break;
                case "#EXT-X-PART":
                    sawFirstSegmentTag = true;
                    parts.Add(new LlParsedPart(Number(Attribute(value, "DURATION"))!.Value, Attribute(value, "URI")!, Attribute(value, "INDEPENDENT") == "YES"));
                    break;
                case "#EXTINF": duration = double.Parse(value.TrimEnd(','), CultureInfo.InvariantCulture); sawFirstSegmentTag = true; break;
                case "#EXT-X-PRELOAD-HINT":
                    Assert.Equal("PART", Attribute(value, "TYPE"));
                    hints.Add(Attribute(value, "URI")!);
                    break;
            }
        }

        Assert.Null(duration);
        var inProgress = parts.Count > 0 ? new LlParsedSegment(sequence + skipped + segments.Count, null, null, discontinuity, map, pdt, parts) : null;
        return new LlParsedPlaylist(text, version, target, sequence, discontinuitySequence, partTarget, canBlock, partHoldBack, holdBack, skipUntil,
            skipped, segments, inProgress, hints);
    }

    /// <summary>The rules one playlist must keep (RFC 8216bis low-latency rules and ours).</summary>
    public LlParsedPlaylist Check()
    {
        Assert.True(TargetDuration >= 1, Text);
        var partTarget = PartTarget ?? throw new Xunit.Sdk.XunitException("no EXT-X-PART-INF\n" + Text);
        Assert.True(CanBlockReload, "CAN-BLOCK-RELOAD=YES\n" + Text);
        Assert.True(PartHoldBack >= (3 * partTarget) - 1e-9, $"PART-HOLD-BACK {PartHoldBack} < 3 × PART-TARGET {partTarget}");
        Assert.True(CanSkipUntil >= 6 * TargetDuration, $"CAN-SKIP-UNTIL {CanSkipUntil} < 6 × target {TargetDuration}");
        Assert.True(HoldBack is null || HoldBack >= 3 * TargetDuration, "HOLD-BACK ≥ 3 × target");
        Assert.True(Version >= (Skipped > 0 ? 9 : 6), $"EXT-X-VERSION {Version}");
        foreach (var segment in All)
        {
            Assert.True(segment.Map is not null, "an EXT-X-MAP before every segment");
            Assert.True(segment.ProgramDateTime is not null, $"segment {segment.Msn} has EXT-X-PROGRAM-DATE-TIME");
            foreach (var part in segment.Parts)
            {
                Assert.True(part.Duration <= partTarget + 1e-9, $"part {part.Uri} lasts {part.Duration} > PART-TARGET {partTarget}");
                Assert.Equal(segment.Msn, Query(part.Uri, "MSN"));
            }

            if (segment.Duration is { } d)
            {
                Assert.True(Math.Round(d, MidpointRounding.AwayFromZero) <= TargetDuration, $"EXTINF {d} over target {TargetDuration}");
                Assert.Equal(segment.Msn, Query(segment.Uri!, "MSN"));
                if (segment.Parts.Count > 0)
                {
                    Assert.True(Math.Abs(segment.Parts.Sum(p => p.Duration) - d) <= 0.001 * (segment.Parts.Count + 1), $"segment {segment.Msn}: parts sum to its EXTINF");
                }
            }

            // Parts in order, numbered from 0.
            Assert.Equal(Enumerable.Range(0, segment.Parts.Count).Select(i => (long)i), segment.Parts.Select(p => Query(p.Uri, "Part")));
        }

        // Exactly one preload hint, naming the next part.
        var hint = Assert.Single(PreloadHints);
        var (msn, index) = InProgress is { } current ? (current.Msn, current.Parts.Count) : (Segments[^1].Msn + 1, 0);
        Assert.Equal(msn, Query(hint, "MSN"));
        Assert.Equal(index, Query(hint, "Part"));
        return this;
    }

    /// <summary>What must hold between this playlist and a later reload of the same session.</summary>
    public void CheckReload(LlParsedPlaylist later)
    {
        Assert.True(later.MediaSequence >= MediaSequence, "media sequence never goes back");
        Assert.True(later.LastMsn >= LastMsn, "the live edge never goes back");
        var expectedDs = DiscontinuitySequence + Segments.Count(s => s.Msn < later.MediaSequence && s.Discontinuity);
        if (later.MediaSequence <= (Segments.Count > 0 ? Segments[^1].Msn + 1 : MediaSequence))
        {
            Assert.Equal(expectedDs, later.DiscontinuitySequence);
        }

        foreach (var segment in Segments)
        {
            var again = later.Segments.FirstOrDefault(s => s.Msn == segment.Msn);
            if (again is null)
            {
                continue;
            }

            Assert.Equal(segment.Uri, again.Uri);
            Assert.Equal(segment.Duration, again.Duration);
            Assert.Equal(segment.Discontinuity, again.Discontinuity);
            Assert.Equal(segment.ProgramDateTime, again.ProgramDateTime);
        }

        // Parts published stay the same (a segment in progress only gains parts).
        if (InProgress is { } before && later.All.FirstOrDefault(s => s.Msn == before.Msn) is { Parts.Count: > 0 } after)
        {
            Assert.True(after.Parts.Count >= before.Parts.Count);
            Assert.Equal(before.Parts, after.Parts.Take(before.Parts.Count));
        }
    }

    /// <summary>A delta update (<c>_HLS_skip=YES</c>) against the full playlist of the same moment.</summary>
    public void CheckSkipOf(LlParsedPlaylist full)
    {
        Assert.Equal(full.MediaSequence, MediaSequence);
        Assert.Equal(full.DiscontinuitySequence, DiscontinuitySequence);
        Assert.Equal(full.Segments.Count, Skipped + Segments.Count);
        Assert.Equal(full.Segments.Skip((int)Skipped).Select(s => (s.Msn, s.Uri, s.Duration)), Segments.Select(s => (s.Msn, s.Uri, s.Duration)));
        Assert.True(Segments.Sum(s => s.Duration!.Value) >= CanSkipUntil!.Value - 1e-9, "what is not skipped covers CAN-SKIP-UNTIL");
    }

    public static long Query(string uri, string name)
    {
        var match = Regex.Match(uri, $"[?&]{name}=([0-9]+)");
        Assert.True(match.Success, $"{name} in {uri}");
        return long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    private static double? Number(string? text) => text is null ? null : double.Parse(text, CultureInfo.InvariantCulture);

    private static string? Attribute(string list, string name)
    {
        var match = Regex.Match(list, $"(?:^|,){Regex.Escape(name)}=(\"[^\"]*\"|[^,]*)");
        return match.Success ? match.Groups[1].Value.Trim('"') : null;
    }
}

/// <summary>ffprobe over fMP4 bytes: video packets' keyframe flags (and that it reads them at all).</summary>
internal static class LlProbe
{
    public static async Task<IReadOnlyList<bool>> KeyframesAsync(byte[] init, params byte[][] media)
    {
        var path = Path.Combine(Path.GetTempPath(), $"vs-ll-{Guid.NewGuid():N}.mp4");
        try
        {
            await File.WriteAllBytesAsync(path, [.. init, .. media.SelectMany(m => m)]);
            using var ffprobe = Process.Start(new ProcessStartInfo("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=flags", "-of", "csv=p=0", path])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = await ffprobe.StandardOutput.ReadToEndAsync();
            var error = await ffprobe.StandardError.ReadToEndAsync();
            await ffprobe.WaitForExitAsync();
            Assert.True(ffprobe.ExitCode == 0 && error.Length == 0, $"ffprobe: {error}");
            return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Contains('K', StringComparison.Ordinal))];
        }
        finally
        {
            File.Delete(path);
        }
    }
}
