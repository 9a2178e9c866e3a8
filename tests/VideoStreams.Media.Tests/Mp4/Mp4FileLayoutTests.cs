using VideoStreams.Media.Mp4;

namespace VideoStreams.Media.Tests.Mp4;

/// <summary>The progressive layout's sample tables, read back with the test-side box reader.</summary>
public sealed class Mp4FileLayoutTests
{
    private static ParsedMp4 HeaderOf(Mp4FileLayout layout) => ParsedMp4.Parse(layout.Header);

    [Fact]
    public void Samples_read_back_with_the_timing_size_sync_and_offsets_they_were_given()
    {
        var random = new Random(7);
        var video = Synthetic.VideoSamples(400, gop: 45, offset: i => i == 0 ? 0 : random.Next(-6000, 9000), size: _ => random.Next(0, 50_000));
        var audio = Enumerable.Range(0, 600).Select(i => new Mp4Sample(0, (uint)random.Next(900, 1100), 0, random.Next(1, 800), true)).ToArray();
        var layout = Mp4FileLayout.Create([Synthetic.Video(), Synthetic.Audio()], Synthetic.Lists(video, audio));

        var parsed = HeaderOf(layout);
        for (var t = 0; t < 2; t++)
        {
            var given = t == 0 ? video : audio;
            var read = parsed.Tracks[t].Samples;
            Assert.Equal(given.Length, read.Count);
            long dts = 0;
            for (var i = 0; i < given.Length; i++)
            {
                Assert.Equal((dts, given[i].Duration, given[i].CompositionOffset, given[i].Size, given[i].IsSync),
                    (read[i].DecodeTime, read[i].Duration, read[i].CompositionOffset, read[i].Size, read[i].IsSync));
                Assert.Equal(layout.GetSampleFileOffset(t, i), read[i].FileOffset);
                dts += given[i].Duration;
            }
        }

        Assert.Equal(layout.Header.Length + video.Sum(s => (long)s.Size) + audio.Sum(s => (long)s.Size), layout.FileSize);
        Assert.Equal(layout.FileSize, layout.Chunks[^1].FileOffset + layout.Chunks[^1].Size);
    }

    [Fact]
    public void Stss_is_omitted_when_every_sample_is_sync_and_lists_the_sync_samples_otherwise()
    {
        var layout = Mp4FileLayout.Create([Synthetic.Video(), Synthetic.Audio()], Synthetic.Lists(Synthetic.VideoSamples(100, gop: 30), Synthetic.AudioSamples(100)));
        var parsed = HeaderOf(layout);

        Assert.True(parsed.Tracks[0].HasStss);
        Assert.Equal([0, 30, 60, 90], parsed.Tracks[0].Samples.Select((s, i) => (s, i)).Where(x => x.s.IsSync).Select(x => x.i));
        Assert.False(parsed.Tracks[1].HasStss);
        Assert.Null(parsed.Moov.Find("trak")!.Find("mdia/minf/stbl/cslg"));
    }

    [Fact]
    public void Ctts_is_left_out_without_offsets()
    {
        var parsed = HeaderOf(Mp4FileLayout.Create([Synthetic.Video()], Synthetic.Lists(Synthetic.VideoSamples(10))));

        Assert.Equal(-1, parsed.Tracks[0].CttsVersion);
        Assert.Null(parsed.Tracks[0].Cslg);
    }

    [Fact]
    public void Non_negative_offsets_use_ctts_version_0_and_no_cslg()
    {
        var parsed = HeaderOf(Mp4FileLayout.Create([Synthetic.Video()], Synthetic.Lists(Synthetic.VideoSamples(10, offset: i => (i % 3) * 3000))));

        Assert.Equal(0, parsed.Tracks[0].CttsVersion);
        Assert.Null(parsed.Tracks[0].Cslg);
        Assert.Contains("iso2", parsed.CompatibleBrands);
    }

    [Fact]
    public void Negative_offsets_use_ctts_version_1_with_a_cslg_describing_them()
    {
        // I P B B: presented 0, 3, 1, 2 frames; decoded 0, 1, 2, 3.
        int[] offsets = [0, 6000, -3000, -3000];
        var parsed = HeaderOf(Mp4FileLayout.Create([Synthetic.Video()], Synthetic.Lists(Synthetic.VideoSamples(4, offset: i => offsets[i]))));

        var track = parsed.Tracks[0];
        Assert.Equal(1, track.CttsVersion);
        Assert.Equal(offsets, track.Samples.Select(s => s.CompositionOffset));
        Assert.Equal([3000L, -3000, 6000, 0, 12000], track.Cslg!); // shift, least, greatest, start, end
        Assert.Equal(["isom", "iso4", "avc1", "mp41"], parsed.CompatibleBrands);
    }

    [Fact]
    public void Stsz_stores_one_size_when_all_samples_are_equal()
    {
        var equal = Synthetic.AudioSamples(50).Select(s => s with { Size = 371 }).ToArray();
        var parsed = HeaderOf(Mp4FileLayout.Create([Synthetic.Video(), Synthetic.Audio()], Synthetic.Lists(Synthetic.VideoSamples(50), equal)));

        Assert.Equal(0u, parsed.Tracks[0].StszConstantSize);
        Assert.Equal(371u, parsed.Tracks[1].StszConstantSize);
        Assert.All(parsed.Tracks[1].Samples, s => Assert.Equal(371, s.Size));
    }

    [Fact]
    public void Chunks_last_at_most_the_configured_duration_and_interleave_by_start_time()
    {
        var video = Synthetic.VideoSamples(300); // 10 s
        var audio = Synthetic.AudioSamples(470); // ~10 s
        var layout = Mp4FileLayout.Create([Synthetic.Video(), Synthetic.Audio()], Synthetic.Lists(video, audio), new Mp4LayoutOptions { MaxChunkDuration = TimeSpan.FromMilliseconds(500) });

        var starts = new List<double>();
        foreach (var c in layout.Chunks)
        {
            var (samples, timescale) = c.TrackIndex == 0 ? (video, 90000.0) : (audio, 48000.0);
            var span = samples.AsSpan(c.FirstSample, c.SampleCount);
            var duration = 0L;
            foreach (var s in span)
            {
                duration += s.Duration;
            }

            Assert.True(duration / timescale <= 0.5, $"chunk of {duration / timescale} s");
            starts.Add(samples.AsSpan(0, c.FirstSample).ToArray().Sum(s => (long)s.Duration) / timescale);
        }

        Assert.Equal(starts.Order(), starts);
        Assert.InRange(layout.Chunks.Count, 40, 42); // 20 per track, no more cuts than needed
        Assert.Equal(20, HeaderOf(layout).Tracks[0].ChunkOffsets.Count);
        Assert.Single(HeaderOf(layout).Tracks[0].Stsc); // 15 frames in every chunk: one run
    }

    [Fact]
    public void Samples_of_different_descriptions_never_share_a_chunk_and_point_to_their_entry()
    {
        var samples = Synthetic.VideoSamples(100).Select((s, i) => s with { DescriptionIndex = i < 45 ? 0 : 1 }).ToArray();
        var layout = Mp4FileLayout.Create([Synthetic.Video(sizes: [(640, 360), (1280, 720)])], Synthetic.Lists(samples));

        var track = HeaderOf(layout).Tracks[0];
        Assert.Equal([(640, 360), (1280, 720)], track.Descriptions.Select(d => (d.Width, d.Height)));
        Assert.Equal(samples.Select(s => s.DescriptionIndex), track.Samples.Select(s => s.DescriptionIndex));
        Assert.Contains(layout.Chunks, c => c.FirstSample == 45);
        Assert.Equal((1280.0, 720.0), (track.Width, track.Height));
    }

    [Fact]
    public void A_presentation_delay_becomes_an_empty_edit_and_lengthens_the_track()
    {
        var layout = Mp4FileLayout.Create(
            [Synthetic.Video(delayMs: 250), Synthetic.Audio()],
            Synthetic.Lists(Synthetic.VideoSamples(90), Synthetic.AudioSamples(141)));

        var parsed = HeaderOf(layout);
        Assert.Equal([new EditEntry(250, -1), new EditEntry(3000, 0)], parsed.Tracks[0].Edits);
        Assert.Equal(3250ul, parsed.Tracks[0].TrackDuration);
        Assert.Equal(270000ul, parsed.Tracks[0].MediaDuration);
        Assert.Empty(parsed.Tracks[1].Edits);
        Assert.Equal(3008ul, parsed.Tracks[1].TrackDuration); // 141 × 1024 / 48 kHz
        Assert.Equal((1000u, 3250ul, 3u), (parsed.MovieTimescale, parsed.MovieDuration, parsed.NextTrackId));
    }

    [Fact]
    public void Track_headers_say_what_kind_of_track_and_language()
    {
        var parsed = HeaderOf(Mp4FileLayout.Create([Synthetic.Video(), Synthetic.Audio(language: "deu")], Synthetic.Lists(Synthetic.VideoSamples(3), Synthetic.AudioSamples(3))));

        var (video, audio) = (parsed.Tracks[0], parsed.Tracks[1]);
        Assert.Equal(("vide", 7u, (ushort)0, 1280.0, 720.0, "und"), (video.Handler, video.TkhdFlags, video.Volume, video.Width, video.Height, video.Language));
        Assert.Equal(("soun", 7u, (ushort)0x100, 0.0, "deu"), (audio.Handler, audio.TkhdFlags, audio.Volume, audio.Width, audio.Language));
        Assert.Equal(Synthetic.AvcC, video.Descriptions[0].Config);
        Assert.Equal(Synthetic.Asc, audio.Descriptions[0].Config);
        Assert.Equal((48000, 2), (audio.Descriptions[0].SampleRate, audio.Descriptions[0].ChannelCount));
    }

    [Fact]
    public void Empty_tracks_are_written_with_empty_tables()
    {
        var layout = Mp4FileLayout.Create([Synthetic.Video(), Synthetic.Audio()], Synthetic.Lists(Synthetic.VideoSamples(5), []));

        var parsed = HeaderOf(layout);
        Assert.Empty(parsed.Tracks[1].Samples);
        Assert.Equal(5, parsed.Tracks[0].Samples.Count);
        Assert.All(layout.Chunks, c => Assert.Equal(0, c.TrackIndex));
    }
}
