using VideoStreams.Media.Hls;

namespace VideoStreams.Media.Tests.Hls;

public class HlsMultivariantPlaylistWriterTests
{
    [Fact]
    public void Variants_with_an_audio_group_are_written_exactly()
    {
        var playlist = new HlsMultivariantPlaylist
        {
            Version = 6,
            IndependentSegments = true,
            Media =
            [
                new HlsRendition { Type = HlsRenditionType.Audio, GroupId = "aac", Name = "English", Language = "en", Default = true, AutoSelect = true, Channels = "2", Uri = "audio/index.m3u8" },
            ],
            Variants =
            [
                new HlsVariantStream
                {
                    Bandwidth = 2_500_000,
                    AverageBandwidth = 2_000_000,
                    Codecs = "avc1.64001f,mp4a.40.2",
                    Width = 1280,
                    Height = 720,
                    FrameRate = 29.97,
                    Audio = "aac",
                    Uri = "720p/index.m3u8",
                },
                new HlsVariantStream { Bandwidth = 800_000, Codecs = "avc1.42c01e", Width = 640, Height = 360, FrameRate = 25, Uri = "360p/index.m3u8" },
            ],
        };

        Assert.Equal(
            """
            #EXTM3U
            #EXT-X-VERSION:6
            #EXT-X-INDEPENDENT-SEGMENTS
            #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio/index.m3u8"
            #EXT-X-STREAM-INF:BANDWIDTH=2500000,AVERAGE-BANDWIDTH=2000000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=29.970,AUDIO="aac"
            720p/index.m3u8
            #EXT-X-STREAM-INF:BANDWIDTH=800000,CODECS="avc1.42c01e",RESOLUTION=640x360,FRAME-RATE=25.000
            360p/index.m3u8

            """,
            HlsPlaylistWriter.ToText(playlist));
    }

    [Fact]
    public void Without_a_version_no_version_tag_is_written()
    {
        var text = HlsPlaylistWriter.ToText(new HlsMultivariantPlaylist { Variants = [new HlsVariantStream { Bandwidth = 1, Uri = "a.m3u8" }] });

        Assert.Equal("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n", text);
    }

    public static TheoryData<string, HlsMultivariantPlaylist> BrokenPlaylists() => new()
    {
        { "unknown audio group", new HlsMultivariantPlaylist { Variants = [new HlsVariantStream { Bandwidth = 1, Uri = "a.m3u8", Audio = "aac" }] } },
        { "zero bandwidth", new HlsMultivariantPlaylist { Variants = [new HlsVariantStream { Bandwidth = 0, Uri = "a.m3u8" }] } },
        { "codecs with a quote", new HlsMultivariantPlaylist { Variants = [new HlsVariantStream { Bandwidth = 1, Uri = "a.m3u8", Codecs = "avc1\"" }] } },
        { "width without height", new HlsMultivariantPlaylist { Variants = [new HlsVariantStream { Bandwidth = 1, Uri = "a.m3u8", Width = 640 }] } },
        { "variant URI with a line break", new HlsMultivariantPlaylist { Variants = [new HlsVariantStream { Bandwidth = 1, Uri = "a\n.m3u8" }] } },
        { "DEFAULT without AUTOSELECT", new HlsMultivariantPlaylist { Media = [new HlsRendition { Type = HlsRenditionType.Audio, GroupId = "a", Name = "n", Default = true }] } },
        { "subtitles without URI", new HlsMultivariantPlaylist { Media = [new HlsRendition { Type = HlsRenditionType.Subtitles, GroupId = "s", Name = "n" }] } },
        { "version 0", new HlsMultivariantPlaylist { Version = 0 } },
    };

    [Theory]
    [MemberData(nameof(BrokenPlaylists))]
    public void A_multivariant_playlist_breaking_a_rule_is_refused(string why, HlsMultivariantPlaylist playlist)
    {
        var e = Assert.Throws<ArgumentException>(() => HlsPlaylistWriter.ToText(playlist));
        Assert.False(string.IsNullOrEmpty(e.Message), why);
    }
}
