using System.Buffers;
using VideoStreams.Media.Matroska;
using VideoStreams.Media.Remux;
using VideoStreams.Media.Tests.Matroska;
using VideoStreams.Media.Tests.Mp4;
using VideoStreams.TestSupport;

namespace VideoStreams.Media.Tests.Remux;

public sealed class CmafSegmenterTests
{
    private static CollectingSink Segment(byte[] mkv, CmafSegmenterOptions? options = null)
    {
        var sink = new CollectingSink();
        using var segmenter = new CmafSegmenter(sink, options);
        new MatroskaReader().ReadAll(mkv, segmenter.Handle);
        segmenter.Complete();
        return sink;
    }

    [Fact]
    public void Segments_start_at_keyframes_about_every_two_seconds_and_hold_every_frame()
    {
        var mkv = File.ReadAllBytes(Samples.PathOf(Samples.High720p30Aac));
        var source = ReadLog.ReadWhole(mkv);

        var sink = Segment(mkv);

        Assert.Single(sink.Inits);
        Assert.Equal("avc1.64001f,mp4a.40.2", sink.Inits[0].Info.Codecs);
        Assert.Equal([1u, 2u, 3u], sink.Segments.Select(s => s.Info.SequenceNumber));
        Assert.All(sink.Segments, s => Assert.InRange(s.Info.DurationSeconds, 1.99, 2.01));
        Assert.All(sink.Segments, s => Assert.True(s.Info.StartsWithKeyframe));
        var fragments = sink.Segments.SelectMany(s => FragmentReader.Read(s.Bytes)).ToList();
        var video = fragments.SelectMany(f => f.Trafs.Where(t => t.TrackId == 1)).ToList();
        var audio = fragments.SelectMany(f => f.Trafs.Where(t => t.TrackId == 2)).ToList();
        Assert.All(video, t => Assert.True(t.Samples[0].IsSync));
        Assert.Equal(source.Frames.Count(f => f.Track == 1), video.Sum(t => t.Samples.Count));
        Assert.Equal(source.Frames.Count(f => f.Track == 2), audio.Sum(t => t.Samples.Count));

        // Each segment's mdat holds exactly the source frames, in decode order.
        var payload = sink.Segments.SelectMany(s => FragmentReader.Read(s.Bytes).Select(f => s.Bytes.AsSpan((int)f.MdatPayloadOffset, (int)f.MdatPayloadSize).ToArray())).SelectMany(b => b).ToArray();
        Assert.Equal(source.Frames.Sum(f => f.Data.Length), payload.Length);
    }

    [Fact]
    public void B_frame_delay_is_carried_by_an_edit_list_and_offsets_stay_non_negative()
    {
        // ffmpeg 5.1 misreads negative composition offsets in fragments; an edit list is read right by it and by browsers.
        var sink = Segment(File.ReadAllBytes(Samples.PathOf(Samples.High720p30Aac)));

        var init = ParsedMp4.Parse(sink.Inits[0].Bytes);
        var video = init.Tracks.Single(t => t.Handler == "vide");
        var edit = Assert.Single(video.Edits);
        Assert.InRange(edit.MediaTime, (2 * 3000) - 90, (2 * 3000) + 90); // two B-frames at 30 fps, to Matroska's 1 ms
        Assert.Empty(init.Tracks.Single(t => t.Handler == "soun").Edits);
        var trafs = sink.Segments.SelectMany(s => FragmentReader.Read(s.Bytes)).SelectMany(f => f.Trafs).Where(t => t.TrackId == 1).ToList();
        Assert.All(trafs, t => Assert.Equal(0, t.TrunVersion));
        Assert.All(trafs.SelectMany(t => t.Samples), s => Assert.True(s.CompositionOffset >= 0));
    }

    [Fact]
    public void Streams_without_b_frames_need_no_edit_list()
    {
        var sink = Segment(File.ReadAllBytes(Samples.PathOf(Samples.Baseline360p25)));

        Assert.Empty(ParsedMp4.Parse(sink.Inits[0].Bytes).Tracks.Single().Edits);
    }

    [Fact]
    public void Audio_is_split_at_the_video_cut_time_not_at_the_cluster_border()
    {
        var sink = Segment(File.ReadAllBytes(Samples.PathOf(Samples.Main360p30Aac)));

        for (var i = 1; i < sink.Segments.Count; i++)
        {
            var fragment = FragmentReader.Read(sink.Segments[i].Bytes).Single();
            var videoStart = fragment.Trafs.Single(t => t.TrackId == 1).BaseMediaDecodeTime / 90_000.0;
            var audioStart = fragment.Trafs.Single(t => t.TrackId == 2).BaseMediaDecodeTime / 48_000.0;
            // The first audio frame of a segment starts within one AAC frame (21.3 ms) of the video.
            Assert.InRange(audioStart, videoStart - 0.0214, videoStart + 0.0214);
        }
    }

    [Fact]
    public void Shorter_target_gives_one_segment_per_gop_and_never_cuts_between_keyframes()
    {
        var sink = Segment(File.ReadAllBytes(Samples.PathOf(Samples.Tiny)), new CmafSegmenterOptions { TargetSegmentDuration = TimeSpan.FromMilliseconds(100) });

        // Ten frames at 10 fps with a keyframe every fifth: two GOPs, two segments.
        Assert.Equal(2, sink.Segments.Count);
        Assert.All(sink.Segments, s => Assert.InRange(s.Info.DurationSeconds, 0.49, 0.51));
    }

    [Fact]
    public void Video_before_the_first_keyframe_is_dropped_and_counted()
    {
        // A stream joined mid-GOP: the first three frames cannot be decoded without the keyframe before them.
        var source = ReadLog.ReadWhole(File.ReadAllBytes(Samples.PathOf(Samples.Baseline360p25)));
        var frames = source.Frames.Skip(3).Select(f => new MatroskaFrame(f.Track, f.Timestamp, f.IsKeyframe, f.Data)).ToArray();
        var stream = new ArrayBufferWriter<byte>();
        MatroskaWriter.WriteChunk(stream, source.Info, source.Tracks, [], frames[0].Timestamp, frames, []);
        var sink = new CollectingSink();
        using var segmenter = new CmafSegmenter(sink);

        new MatroskaReader().ReadAll(stream.WrittenMemory, segmenter.Handle);
        segmenter.Complete();

        var firstKeyframe = Array.FindIndex(frames, f => f.IsKeyframe);
        Assert.True(firstKeyframe > 0);
        Assert.Equal(firstKeyframe, segmenter.DroppedFrames);
        Assert.Equal(frames.Length - firstKeyframe, sink.Segments.Sum(s => FragmentReader.Read(s.Bytes).Sum(f => f.Trafs.Sum(t => t.Samples.Count))));
        Assert.True(sink.Segments[0].Info.StartsWithKeyframe);
    }

    [Fact]
    public void A_kvs_style_stream_of_documents_gives_one_init_and_continuous_segments()
    {
        // GetMedia sends one complete MKV document per fragment: header, tracks, tags, one cluster.
        var source = ReadLog.ReadWhole(File.ReadAllBytes(Samples.PathOf(Samples.High720p30Aac)));
        var stream = new ArrayBufferWriter<byte>();
        for (var c = 0; c < source.Clusters.Count; c++)
        {
            var start = source.Clusters[c].Timestamp;
            var frames = FramesOfCluster(source, c).Select(f => new MatroskaFrame(f.Track, f.Timestamp, f.IsKeyframe, f.Data)).ToArray();
            MatroskaWriter.WriteChunk(stream, source.Info, source.Tracks, [Tag("AWS_KINESISVIDEO_FRAGMENT_NUMBER", $"{c}")], start, frames, []);
        }

        var sink = Segment(stream.WrittenSpan.ToArray());

        Assert.Single(sink.Inits);
        Assert.Equal(3, sink.Segments.Count);
        Assert.DoesNotContain(sink.Segments, s => s.Info.Discontinuity);
        for (var i = 1; i < sink.Segments.Count; i++)
        {
            var previous = sink.Segments[i - 1].Info;
            Assert.InRange(sink.Segments[i].Info.StartSeconds, previous.StartSeconds + previous.DurationSeconds - 0.0005, previous.StartSeconds + previous.DurationSeconds + 0.0005);
        }
    }

    [Fact]
    public void A_new_codec_configuration_between_documents_gives_a_new_init_and_a_discontinuity()
    {
        var first = File.ReadAllBytes(Samples.PathOf(Samples.Baseline360p25));
        var second = ReadLog.ReadWhole(File.ReadAllBytes(Samples.PathOf(Samples.High720p25)));
        var stream = new ArrayBufferWriter<byte>();
        stream.Write(first);
        // The second document continues the timeline 10 s later with different codec private data (720p High).
        var frames = second.Frames.Select(f => new MatroskaFrame(f.Track, f.Timestamp + 10_000, f.IsKeyframe, f.Data)).ToArray();
        MatroskaWriter.WriteChunk(stream, second.Info, second.Tracks, [], 10_000, frames.Where(f => f.Timestamp < 10_000 + 32_000).ToArray(), []);

        var sink = Segment(stream.WrittenSpan.ToArray());

        Assert.Equal(2, sink.Inits.Count);
        Assert.Equal((1280, 720), (sink.Inits[1].Info.Width, sink.Inits[1].Info.Height));
        var firstOfSecond = sink.Segments.First(s => s.Info.InitIndex == 1);
        Assert.True(firstOfSecond.Info.Discontinuity);
        Assert.Single(sink.Segments, s => s.Info.Discontinuity);
    }

    [Fact]
    public void Audio_only_streams_are_cut_by_duration()
    {
        var source = ReadLog.ReadWhole(File.ReadAllBytes(Samples.PathOf(Samples.Main360p30Aac)));
        var audioTrack = source.Tracks.Single(t => t.IsAac);
        var stream = new ArrayBufferWriter<byte>();
        var frames = source.Frames.Where(f => f.Track == audioTrack.Number).Select(f => new MatroskaFrame(f.Track, f.Timestamp, true, f.Data)).ToArray();
        MatroskaWriter.WriteChunk(stream, source.Info, [audioTrack], [], 0, frames.Where(f => f.Timestamp < 32_000).ToArray(), []);

        var sink = Segment(stream.WrittenSpan.ToArray());

        Assert.Equal("mp4a.40.2", sink.Inits.Single().Info.Codecs);
        // 283 AAC frames are 6.037 s: three segments of two seconds (to one frame) and the 37 ms that remain.
        Assert.Equal(4, sink.Segments.Count);
        Assert.All(sink.Segments.SkipLast(1), s => Assert.InRange(s.Info.DurationSeconds, 2.0, 2.0214));
        Assert.InRange(sink.Segments.Sum(s => s.Info.DurationSeconds), 6.03, 6.04);
        Assert.Equal(frames.Length, sink.Segments.Sum(s => FragmentReader.Read(s.Bytes).Sum(f => f.Trafs.Single().Samples.Count)));
    }

    private static IEnumerable<FrameRecord> FramesOfCluster(ReadLog log, int cluster)
    {
        var index = -1;
        var frame = 0;
        foreach (var kind in log.Events)
        {
            if (kind == MatroskaEventKind.ClusterStart)
            {
                index++;
            }
            else if (kind == MatroskaEventKind.Frame)
            {
                if (index == cluster)
                {
                    yield return log.Frames[frame];
                }

                frame++;
            }
        }
    }

    private static MatroskaTag Tag(string name, string value) => new([], [new MatroskaSimpleTag(name, value)]);
}
