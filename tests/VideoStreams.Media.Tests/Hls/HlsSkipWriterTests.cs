using VideoStreams.Media.Hls;

namespace VideoStreams.Media.Tests.Hls;

/// <summary>EXT-X-SKIP (playlist delta updates, RFC 8216bis 4.4.5.2).</summary>
public class HlsSkipWriterTests
{
    private static HlsMediaPlaylist Delta(long skipped, double? canSkipUntil) => new()
    {
        TargetDuration = 1,
        MediaSequence = 40,
        ServerControl = new HlsServerControl { CanBlockReload = true, CanSkipUntil = canSkipUntil, PartHoldBack = 0.6 },
        PartTarget = 0.2,
        Map = new HlsMap("init.mp4"),
        SkippedSegments = skipped,
        Segments = [new HlsSegment { Duration = 1, Uri = "s46.mp4" }],
    };

    [Fact]
    public void A_delta_update_writes_the_skip_count_after_the_media_sequence_and_needs_version_9()
    {
        var text = HlsPlaylistWriter.ToText(Delta(6, 6));

        Assert.Equal(
            """
            #EXTM3U
            #EXT-X-VERSION:9
            #EXT-X-TARGETDURATION:1
            #EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=6.000,PART-HOLD-BACK=0.600
            #EXT-X-PART-INF:PART-TARGET=0.200
            #EXT-X-MEDIA-SEQUENCE:40
            #EXT-X-SKIP:SKIPPED-SEGMENTS=6
            #EXT-X-MAP:URI="init.mp4"
            #EXTINF:1.000,
            s46.mp4

            """,
            text);
        Assert.DoesNotContain("EXT-X-SKIP", HlsPlaylistWriter.ToText(Delta(0, 6)), StringComparison.Ordinal);
    }

    [Fact]
    public void Skipping_needs_can_skip_until_and_a_count_that_is_not_negative()
    {
        Assert.Throws<ArgumentException>(() => HlsPlaylistWriter.ToText(Delta(3, null)));
        Assert.Throws<ArgumentException>(() => HlsPlaylistWriter.ToText(Delta(-1, 6)));
    }
}
