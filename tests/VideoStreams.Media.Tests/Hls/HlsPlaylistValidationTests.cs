using System.Buffers;
using VideoStreams.Media.Hls;

namespace VideoStreams.Media.Tests.Hls;

public class HlsPlaylistValidationTests
{
    private static HlsMediaPlaylist LowLatency(Action<HlsMediaPlaylist>? change = null)
    {
        var playlist = new HlsMediaPlaylist
        {
            TargetDuration = 2,
            PartTarget = 0.5,
            ServerControl = new HlsServerControl { CanBlockReload = true, PartHoldBack = 1.5, HoldBack = 6 },
            Segments = [new HlsSegment { Duration = 2, Uri = "s0.m4s", Parts = [new HlsPart(0.5, "p0.m4s", true)] }],
        };
        change?.Invoke(playlist);
        return playlist;
    }

    public static TheoryData<string, HlsMediaPlaylist> BrokenPlaylists() => new()
    {
        { "negative duration", new HlsMediaPlaylist { Segments = [new HlsSegment { Duration = -1, Uri = "a.ts" }] } },
        { "NaN duration", new HlsMediaPlaylist { Segments = [new HlsSegment { Duration = double.NaN, Uri = "a.ts" }] } },
        { "URI with a line break", new HlsMediaPlaylist { Segments = [new HlsSegment { Duration = 1, Uri = "a.ts\n#EXT-X-ENDLIST" }] } },
        { "URI line starting with #", new HlsMediaPlaylist { Segments = [new HlsSegment { Duration = 1, Uri = "#a.ts" }] } },
        { "empty URI", new HlsMediaPlaylist { Segments = [new HlsSegment { Duration = 1, Uri = "" }] } },
        { "map URI with a quote", new HlsMediaPlaylist { Map = new HlsMap("init\".mp4"), Segments = [new HlsSegment { Duration = 1, Uri = "a.m4s" }] } },
        { "map byte range without offset", new HlsMediaPlaylist { Map = new HlsMap("i.mp4", new HlsByteRange(100)) } },
        { "first byte range without offset", new HlsMediaPlaylist { Segments = [new HlsSegment { Duration = 1, Uri = "a.ts", ByteRange = new HlsByteRange(100) }] } },
        {
            "byte range without offset after another resource", new HlsMediaPlaylist
            {
                Segments =
                [
                    new HlsSegment { Duration = 1, Uri = "a.ts", ByteRange = new HlsByteRange(100, 0) },
                    new HlsSegment { Duration = 1, Uri = "b.ts", ByteRange = new HlsByteRange(100) },
                ],
            }
        },
        { "negative media sequence", new HlsMediaPlaylist { MediaSequence = -1 } },
        { "parts without PART-INF", LowLatency(p => p.PartTarget = null) },
        { "pending parts without PART-INF", new HlsMediaPlaylist { PendingSegment = new HlsPendingSegment { Parts = [new HlsPart(0.5, "p.m4s")] } } },
        { "PART-INF without PART-HOLD-BACK", LowLatency(p => p.ServerControl = new HlsServerControl { CanBlockReload = true }) },
        { "part longer than PART-TARGET", LowLatency(p => p.PendingSegment = new HlsPendingSegment { Parts = [new HlsPart(0.501, "p.m4s")] }) },
        { "part URI with a quote", LowLatency(p => p.PendingSegment = new HlsPendingSegment { Parts = [new HlsPart(0.5, "p\".m4s")] }) },
        { "PART-HOLD-BACK under two part targets", LowLatency(p => p.ServerControl = new HlsServerControl { PartHoldBack = 0.9 }) },
        { "HOLD-BACK under three target durations", LowLatency(p => p.ServerControl = new HlsServerControl { PartHoldBack = 1.5, HoldBack = 5.9 }) },
        { "CAN-SKIP-UNTIL under six target durations", LowLatency(p => p.ServerControl = new HlsServerControl { PartHoldBack = 1.5, CanSkipUntil = 11 }) },
        { "CAN-SKIP-DATERANGES without CAN-SKIP-UNTIL", LowLatency(p => p.ServerControl = new HlsServerControl { PartHoldBack = 1.5, CanSkipDateRanges = true }) },
        { "preload hint in an ended playlist", LowLatency(p => { p.EndList = true; p.PreloadHint = new HlsPreloadHint(HlsPreloadHintType.Part, "p1.m4s"); }) },
        { "rendition report with a line break", LowLatency(p => p.RenditionReports = [new HlsRenditionReport("a\r.m3u8", 1)]) },
        { "zero PART-TARGET", LowLatency(p => p.PartTarget = 0) },
    };

    [Theory]
    [MemberData(nameof(BrokenPlaylists))]
    public void A_media_playlist_breaking_a_rule_is_refused_and_nothing_is_written(string why, HlsMediaPlaylist playlist)
    {
        var buffer = new ArrayBufferWriter<byte>();

        var e = Assert.Throws<ArgumentException>(() => HlsPlaylistWriter.Write(playlist, buffer));

        Assert.False(string.IsNullOrEmpty(e.Message), why);
        Assert.Equal(0, buffer.WrittenCount);
    }

    [Fact]
    public void The_valid_low_latency_baseline_is_accepted()
    {
        Assert.Contains("#EXT-X-PART:DURATION=0.500,URI=\"p0.m4s\",INDEPENDENT=YES\n", HlsPlaylistWriter.ToText(LowLatency()), StringComparison.Ordinal);
    }

    [Fact]
    public void Part_duration_is_compared_to_the_target_as_written()
    {
        // 0.5004 is written as 0.500: a client sees no part longer than the target.
        var playlist = LowLatency(p => p.PendingSegment = new HlsPendingSegment { Parts = [new HlsPart(0.5004, "p.m4s")] });

        Assert.Contains("#EXT-X-PART:DURATION=0.500,URI=\"p.m4s\"\n", HlsPlaylistWriter.ToText(playlist), StringComparison.Ordinal);
    }
}
