using VideoStreams.Media.Matroska;
using VideoStreams.TestSupport;

namespace VideoStreams.Media.Tests.Matroska;

/// <summary>Our reader against ffprobe's reading of the same real files.</summary>
public sealed class MatroskaReaderSampleTests
{
    [Theory]
    [MemberData(nameof(Samples.WellFormedMkvData), MemberType = typeof(Samples))]
    public async Task Every_frame_ffprobe_sees_comes_out_with_its_timestamp_and_keyframe_flag(string sample)
    {
        var path = Samples.PathOf(sample);
        var log = ReadLog.ReadWhole(await File.ReadAllBytesAsync(path));
        var probe = await FfprobeReport.ProbeAsync(path);

        foreach (var stream in probe.Streams)
        {
            var track = log.Tracks[stream.Index];
            var ours = log.Frames.Where(f => f.Track == track.Number).ToList();
            var theirs = probe.Packets.Where(p => p.StreamIndex == stream.Index).ToList();
            Assert.Equal(theirs.Count, ours.Count);
            for (var i = 0; i < ours.Count; i++)
            {
                Assert.Equal(theirs[i].Size, ours[i].Data.Length);
                Assert.Equal(theirs[i].IsKey, ours[i].IsKeyframe);
                // Laced frames: ffmpeg truncates the per-lace duration to whole ticks, we round; both stay within 3 ms.
                var tolerance = sample == Samples.LacedBlockGroups && stream.CodecType == "audio" ? 3.0 : 0.5;
                Assert.InRange(ours[i].Timestamp * (log.Info.TimestampScale / 1e6), (theirs[i].Pts!.Value * 1000) - tolerance, (theirs[i].Pts!.Value * 1000) + tolerance);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Samples.WellFormedMkvData), MemberType = typeof(Samples))]
    public async Task Tracks_are_described_as_ffprobe_describes_them(string sample)
    {
        var path = Samples.PathOf(sample);
        var log = ReadLog.ReadWhole(await File.ReadAllBytesAsync(path));
        var probe = await FfprobeReport.ProbeAsync(path);

        Assert.Equal(probe.Streams.Count, log.Tracks.Count);
        foreach (var stream in probe.Streams)
        {
            var track = log.Tracks[stream.Index];
            if (stream.CodecType == "video")
            {
                Assert.True(track.IsH264);
                Assert.Equal(MatroskaTrackType.Video, track.Type);
                Assert.Equal((stream.Width, stream.Height), (track.PixelWidth, track.PixelHeight));
                Assert.False(track.CodecPrivate.IsEmpty);
            }
            else
            {
                Assert.True(track.IsAac);
                Assert.Equal(stream.SampleRate, (int)track.SamplingFrequency);
                Assert.Equal(stream.Channels, track.Channels);
            }
        }
    }

    [Fact]
    public async Task Laced_audio_frames_get_the_timestamps_they_had_before_mkvmerge_laced_them()
    {
        var laced = ReadLog.ReadWhole(await File.ReadAllBytesAsync(Samples.PathOf(Samples.LacedBlockGroups)));
        var original = ReadLog.ReadWhole(await File.ReadAllBytesAsync(Samples.PathOf(Samples.Main360p30Aac)));

        var lacedAudio = laced.Frames.Where(f => f.Track == 2).ToList();
        var originalAudio = original.Frames.Where(f => f.Track == 2).ToList();
        Assert.Equal(originalAudio.Count, lacedAudio.Count);
        for (var i = 0; i < originalAudio.Count; i++)
        {
            Assert.Equal(originalAudio[i].Data, lacedAudio[i].Data);
            Assert.InRange(lacedAudio[i].Timestamp, originalAudio[i].Timestamp - 1, originalAudio[i].Timestamp + 1);
        }

        // The video went through BlockGroups: keyframes are the groups without a ReferenceBlock.
        Assert.Equal(
            original.Frames.Where(f => f.Track == 1).Select(f => (f.Timestamp, f.IsKeyframe)),
            laced.Frames.Where(f => f.Track == 1).Select(f => (f.Timestamp, f.IsKeyframe)));
    }

    [Fact]
    public async Task Live_layout_with_unknown_size_segment_and_crc_clusters_reads_like_the_plain_file()
    {
        var live = ReadLog.ReadWhole(await File.ReadAllBytesAsync(Samples.PathOf(Samples.LiveHigh720p30Aac)));
        var plain = ReadLog.ReadWhole(await File.ReadAllBytesAsync(Samples.PathOf(Samples.High720p30Aac)));

        Assert.Equal(plain.Frames.Select(f => (f.Track, f.Timestamp, f.IsKeyframe)), live.Frames.Select(f => (f.Track, f.Timestamp, f.IsKeyframe)));
        Assert.Equal(MatroskaEventKind.SegmentEnd, live.Events[^1]);
        Assert.Equal(live.Events.Count(e => e == MatroskaEventKind.ClusterStart), live.Events.Count(e => e == MatroskaEventKind.ClusterEnd));
    }

    [Fact]
    public async Task Frame_data_offsets_point_at_the_frame_bytes_in_the_file()
    {
        var bytes = await File.ReadAllBytesAsync(Samples.PathOf(Samples.Main360p30Aac));
        var log = ReadLog.ReadWhole(bytes);

        Assert.All(log.Frames, f => Assert.True(bytes.AsSpan((int)f.DataOffset, f.Data.Length).SequenceEqual(f.Data)));
    }

    [Fact]
    public async Task Every_cluster_of_the_samples_starts_with_a_video_keyframe()
    {
        var log = ReadLog.ReadWhole(await File.ReadAllBytesAsync(Samples.PathOf(Samples.High720p30Aac)));
        var firstVideoPerCluster = new List<bool>();
        var expectVideo = false;
        for (int i = 0, frame = 0; i < log.Events.Count; i++)
        {
            if (log.Events[i] == MatroskaEventKind.ClusterStart)
            {
                expectVideo = true;
            }
            else if (log.Events[i] == MatroskaEventKind.Frame)
            {
                var f = log.Frames[frame++];
                if (expectVideo && f.Track == 1)
                {
                    firstVideoPerCluster.Add(f.IsKeyframe);
                    expectVideo = false;
                }
            }
        }

        Assert.Equal(3, firstVideoPerCluster.Count);
        Assert.All(firstVideoPerCluster, Assert.True);
    }

    [Fact]
    public async Task Truncated_file_gives_its_complete_frames_then_a_truncation_error()
    {
        var bytes = await File.ReadAllBytesAsync(Samples.PathOf(Samples.Truncated));
        var full = ReadLog.ReadWhole(await File.ReadAllBytesAsync(Samples.PathOf(Samples.Main360p30Aac)));
        var log = new ReadLog();

        var error = Assert.Throws<MediaFormatException>(() => new MatroskaReader().ReadAll(bytes, log.Record));

        Assert.Equal(MediaFormatError.Truncated, error.Error);
        Assert.NotEmpty(log.Frames);
        Assert.True(log.Frames.Count < full.Frames.Count);
        Assert.All(log.Frames.Zip(full.Frames), pair => Assert.True(pair.First.SameAs(pair.Second)));
    }
}
