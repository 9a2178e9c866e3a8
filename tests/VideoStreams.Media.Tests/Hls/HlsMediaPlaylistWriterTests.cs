using System.Buffers;
using System.Globalization;
using System.Text;
using VideoStreams.Media.Hls;

namespace VideoStreams.Media.Tests.Hls;

public class HlsMediaPlaylistWriterTests
{
    private static readonly DateTimeOffset Start = new(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Vod_playlist_with_discontinuity_new_map_and_program_date_time_is_written_exactly()
    {
        var playlist = new HlsMediaPlaylist
        {
            PlaylistType = HlsPlaylistType.Vod,
            IndependentSegments = true,
            Map = new HlsMap("init-0.mp4"),
            Segments =
            [
                new HlsSegment { Duration = 4, Uri = "seg-0.m4s", ProgramDateTime = Start },
                new HlsSegment { Duration = 3.5, Uri = "seg-1.m4s" },
                new HlsSegment
                {
                    Duration = 2.0021,
                    Uri = "seg-2.m4s",
                    Discontinuity = true,
                    Map = new HlsMap("init-1.mp4"),
                    ProgramDateTime = new DateTimeOffset(2024, 3, 1, 13, 5, 0, 250, TimeSpan.FromHours(1)),
                },
            ],
            EndList = true,
        };

        Assert.Equal(
            """
            #EXTM3U
            #EXT-X-VERSION:6
            #EXT-X-TARGETDURATION:4
            #EXT-X-MEDIA-SEQUENCE:0
            #EXT-X-PLAYLIST-TYPE:VOD
            #EXT-X-INDEPENDENT-SEGMENTS
            #EXT-X-MAP:URI="init-0.mp4"
            #EXT-X-PROGRAM-DATE-TIME:2024-03-01T12:00:00.000Z
            #EXTINF:4.000,
            seg-0.m4s
            #EXTINF:3.500,
            seg-1.m4s
            #EXT-X-DISCONTINUITY
            #EXT-X-MAP:URI="init-1.mp4"
            #EXT-X-PROGRAM-DATE-TIME:2024-03-01T13:05:00.250+01:00
            #EXTINF:2.002,
            seg-2.m4s
            #EXT-X-ENDLIST

            """,
            HlsPlaylistWriter.ToText(playlist));
    }

    [Fact]
    public void Live_low_latency_playlist_lists_parts_before_their_segment_then_the_live_edge()
    {
        var playlist = new HlsMediaPlaylist
        {
            TargetDuration = 1,
            MediaSequence = 100,
            DiscontinuitySequence = 3,
            IndependentSegments = true,
            Map = new HlsMap("init.mp4"),
            ServerControl = new HlsServerControl { CanBlockReload = true, HoldBack = 3, PartHoldBack = 0.6, CanSkipUntil = 6 },
            PartTarget = 0.2,
            Segments =
            [
                new HlsSegment { Duration = 1, Uri = "seg100.m4s", ProgramDateTime = Start },
                new HlsSegment
                {
                    Duration = 1,
                    Uri = "seg101.m4s",
                    Parts =
                    [
                        new HlsPart(0.2, "seg101.0.m4s", Independent: true),
                        new HlsPart(0.2, "seg101.1.m4s"),
                        new HlsPart(0.2, "seg101.2.m4s"),
                        new HlsPart(0.2, "seg101.3.m4s", Gap: true),
                        new HlsPart(0.2, "seg101.4.m4s"),
                    ],
                },
            ],
            PendingSegment = new HlsPendingSegment
            {
                Parts =
                [
                    new HlsPart(0.2, "seg102.m4s", Independent: true, ByteRange: new HlsByteRange(1200, 0)),
                    new HlsPart(0.2, "seg102.m4s", ByteRange: new HlsByteRange(900)),
                ],
            },
            PreloadHint = new HlsPreloadHint(HlsPreloadHintType.Part, "seg102.m4s", ByteRangeStart: 2100),
            RenditionReports = [new HlsRenditionReport("../audio/index.m3u8", 102, 1)],
        };

        Assert.Equal(
            """
            #EXTM3U
            #EXT-X-VERSION:6
            #EXT-X-TARGETDURATION:1
            #EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=6.000,HOLD-BACK=3.000,PART-HOLD-BACK=0.600
            #EXT-X-PART-INF:PART-TARGET=0.200
            #EXT-X-MEDIA-SEQUENCE:100
            #EXT-X-DISCONTINUITY-SEQUENCE:3
            #EXT-X-INDEPENDENT-SEGMENTS
            #EXT-X-MAP:URI="init.mp4"
            #EXT-X-PROGRAM-DATE-TIME:2024-03-01T12:00:00.000Z
            #EXTINF:1.000,
            seg100.m4s
            #EXT-X-PART:DURATION=0.200,URI="seg101.0.m4s",INDEPENDENT=YES
            #EXT-X-PART:DURATION=0.200,URI="seg101.1.m4s"
            #EXT-X-PART:DURATION=0.200,URI="seg101.2.m4s"
            #EXT-X-PART:DURATION=0.200,URI="seg101.3.m4s",GAP=YES
            #EXT-X-PART:DURATION=0.200,URI="seg101.4.m4s"
            #EXTINF:1.000,
            seg101.m4s
            #EXT-X-PART:DURATION=0.200,URI="seg102.m4s",INDEPENDENT=YES,BYTERANGE="1200@0"
            #EXT-X-PART:DURATION=0.200,URI="seg102.m4s",BYTERANGE="900"
            #EXT-X-PRELOAD-HINT:TYPE=PART,URI="seg102.m4s",BYTERANGE-START=2100
            #EXT-X-RENDITION-REPORT:URI="../audio/index.m3u8",LAST-MSN=102,LAST-PART=1

            """,
            HlsPlaylistWriter.ToText(playlist));
    }

    [Fact]
    public void Byte_range_segments_gap_and_event_type_are_written_and_need_version_4()
    {
        var playlist = new HlsMediaPlaylist
        {
            PlaylistType = HlsPlaylistType.Event,
            Segments =
            [
                new HlsSegment { Duration = 2, Uri = "all.ts", ByteRange = new HlsByteRange(1000, 0) },
                new HlsSegment { Duration = 2, Uri = "all.ts", ByteRange = new HlsByteRange(800) },
                new HlsSegment { Duration = 2, Uri = "missing.ts", Gap = true },
            ],
        };

        Assert.Equal(
            """
            #EXTM3U
            #EXT-X-VERSION:4
            #EXT-X-TARGETDURATION:2
            #EXT-X-MEDIA-SEQUENCE:0
            #EXT-X-PLAYLIST-TYPE:EVENT
            #EXTINF:2.000,
            #EXT-X-BYTERANGE:1000@0
            all.ts
            #EXTINF:2.000,
            #EXT-X-BYTERANGE:800
            all.ts
            #EXTINF:2.000,
            #EXT-X-GAP
            missing.ts

            """,
            HlsPlaylistWriter.ToText(playlist));
    }

    [Fact]
    public void Map_with_byte_range_is_written_with_its_offset()
    {
        var playlist = new HlsMediaPlaylist
        {
            Map = new HlsMap("media.mp4", new HlsByteRange(720, 0)),
            Segments = [new HlsSegment { Duration = 1, Uri = "media.mp4", ByteRange = new HlsByteRange(5000, 720) }],
        };

        Assert.Contains("#EXT-X-MAP:URI=\"media.mp4\",BYTERANGE=\"720@0\"\n", HlsPlaylistWriter.ToText(playlist), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { 4.0, 4.499 }, 4)]
    [InlineData(new[] { 4.0, 4.5 }, 5)]
    [InlineData(new[] { 2.0, 4.4996 }, 5)] // written as 4.500, which a client rounds up
    [InlineData(new[] { 0.3 }, 1)]
    [InlineData(new double[0], 1)]
    public void Target_duration_is_the_longest_segment_rounded_to_the_nearest_integer(double[] durations, int expected)
    {
        var segments = durations.Select((d, i) => new HlsSegment { Duration = d, Uri = $"s{i}.ts" }).ToList();

        Assert.Equal(expected, HlsPlaylistWriter.ComputeTargetDuration(segments));
        Assert.Contains($"#EXT-X-TARGETDURATION:{expected}\n", HlsPlaylistWriter.ToText(new HlsMediaPlaylist { Segments = segments }), StringComparison.Ordinal);
    }

    [Fact]
    public void Caller_target_duration_shorter_than_a_segment_is_refused()
    {
        var playlist = new HlsMediaPlaylist { TargetDuration = 2, Segments = [new HlsSegment { Duration = 2.6, Uri = "a.ts" }] };

        var e = Assert.Throws<ArgumentException>(() => HlsPlaylistWriter.ToText(playlist));
        Assert.Contains("TARGETDURATION", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Caller_target_duration_longer_than_needed_is_kept()
    {
        var playlist = new HlsMediaPlaylist { TargetDuration = 6, Segments = [new HlsSegment { Duration = 2, Uri = "a.ts" }] };

        Assert.Contains("#EXT-X-TARGETDURATION:6\n", HlsPlaylistWriter.ToText(playlist), StringComparison.Ordinal);
    }

    [Fact]
    public void Version_is_the_minimum_the_features_need_or_the_callers_if_high_enough()
    {
        var plain = new HlsMediaPlaylist { Segments = [new HlsSegment { Duration = 1.5, Uri = "a.ts" }] };
        var ranged = new HlsMediaPlaylist { Segments = [new HlsSegment { Duration = 1, Uri = "a.ts", ByteRange = new HlsByteRange(10, 0) }] };
        var mapped = new HlsMediaPlaylist { Segments = [new HlsSegment { Duration = 1, Uri = "a.m4s", Map = new HlsMap("i.mp4") }] };
        var pendingMap = new HlsMediaPlaylist
        {
            PartTarget = 0.5,
            ServerControl = new HlsServerControl { PartHoldBack = 1.5 },
            PendingSegment = new HlsPendingSegment { Map = new HlsMap("i.mp4"), Parts = [new HlsPart(0.5, "p.m4s")] },
        };

        Assert.Equal(3, HlsPlaylistWriter.MinimumVersion(plain));
        Assert.Equal(4, HlsPlaylistWriter.MinimumVersion(ranged));
        Assert.Equal(6, HlsPlaylistWriter.MinimumVersion(mapped));
        Assert.Equal(6, HlsPlaylistWriter.MinimumVersion(pendingMap));

        mapped.Version = 7;
        Assert.StartsWith("#EXTM3U\n#EXT-X-VERSION:7\n", HlsPlaylistWriter.ToText(mapped), StringComparison.Ordinal);
        mapped.Version = 5;
        Assert.Throws<ArgumentException>(() => HlsPlaylistWriter.ToText(mapped));
    }

    [Fact]
    public void An_empty_server_control_and_negative_zero_write_nothing_odd()
    {
        var text = HlsPlaylistWriter.ToText(new HlsMediaPlaylist
        {
            ServerControl = new HlsServerControl(),
            Segments = [new HlsSegment { Duration = -0.0, Uri = "a.ts" }],
        });

        Assert.DoesNotContain("SERVER-CONTROL", text, StringComparison.Ordinal);
        Assert.Contains("#EXTINF:0.000,\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Durations_use_a_dot_whatever_the_current_culture()
    {
        var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        comma.NumberFormat.NumberDecimalSeparator = ",";
        var saved = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = comma;
        try
        {
            var text = HlsPlaylistWriter.ToText(new HlsMediaPlaylist { Segments = [new HlsSegment { Duration = 1.25, Uri = "a.ts" }] });
            Assert.Contains("#EXTINF:1.250,\n", text, StringComparison.Ordinal);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void Buffer_writer_output_is_the_utf8_of_the_text_including_non_ascii_uris()
    {
        var playlist = new HlsMediaPlaylist { Segments = [new HlsSegment { Duration = 1, Uri = "caméra/seg 1.ts" }], EndList = true };
        var buffer = new ArrayBufferWriter<byte>();

        HlsPlaylistWriter.Write(playlist, buffer);

        Assert.Equal(Encoding.UTF8.GetBytes(HlsPlaylistWriter.ToText(playlist)), buffer.WrittenSpan.ToArray());
        Assert.Contains("caméra/seg 1.ts\n", Encoding.UTF8.GetString(buffer.WrittenSpan), StringComparison.Ordinal);
    }

    [Fact]
    public void Rewriting_a_live_playlist_allocates_nothing()
    {
        var segments = Enumerable.Range(0, 30).Select(i => new HlsSegment
        {
            Duration = 2.002,
            Uri = $"seg{i}.m4s",
            ProgramDateTime = Start.AddSeconds(2 * i),
            Parts = i == 29 ? [new HlsPart(0.5, "p0.m4s", true), new HlsPart(0.5, "p1.m4s")] : [],
        }).ToArray();
        var playlist = new HlsMediaPlaylist
        {
            TargetDuration = 3,
            Map = new HlsMap("init.mp4"),
            PartTarget = 0.5,
            ServerControl = new HlsServerControl { CanBlockReload = true, PartHoldBack = 1.5 },
            Segments = segments,
            PendingSegment = new HlsPendingSegment { Parts = [new HlsPart(0.5, "p2.m4s", true)] },
            PreloadHint = new HlsPreloadHint(HlsPreloadHintType.Part, "p3.m4s"),
        };
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        HlsPlaylistWriter.Write(playlist, buffer);

        buffer.ResetWrittenCount();
        var before = GC.GetAllocatedBytesForCurrentThread();
        HlsPlaylistWriter.Write(playlist, buffer);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(buffer.WrittenCount > 1000);
    }
}
