using VideoStreams.Producer.Fragmenting;
using VideoStreams.Producer.Sources;
using VideoStreams.TestSupport;

namespace VideoStreams.Producer.Tests.Sources;

public sealed class EncodedSourceTests
{
    [Fact]
    public async Task Synthetic_source_encoded_and_fragmented_gives_idr_aligned_two_second_fragments_whose_strips_read_back_the_access_unit_times()
    {
        var spec = new VideoSourceSpec { Type = VideoSourceType.Synthetic, Width = 320, Height = 240, FrameRate = 30 };
        await using var source = VideoSources.Create(spec, new EncoderSettings { BitrateKbps = 2000 }, TimeSpan.FromSeconds(2));
        // The fragmenter cuts at a key frame only once a full 2000 ms have passed; capture times jitter by a few ms, so
        // an IDR exactly one GOP (60 frames) later is at 1995–2005 ms and half the cuts would slip to the next IDR.
        // 1.9 s here keeps this test about the encoder (an IDR every 60 frames); see the report on Fragmenter.Add.
        using var sink = new FragmentingSink(new FragmenterOptions { FragmentDuration = TimeSpan.FromSeconds(1.9) }, stopAfterFrames: 30 * 5);

        await SourceTestKit.RunUntilAsync(source, sink, TimeSpan.FromSeconds(25));

        Assert.Equal(AccessUnitFormat.AnnexB, sink.Format);
        Assert.InRange(sink.Timestamps.Count, 150, 170);
        var fragments = string.Join(", ", sink.Fragments.Select(f => $"{f.FrameCount} frames/{f.DurationMs} ms"));
        Assert.True(sink.Fragments.Count >= 3, fragments);
        Assert.All(sink.Fragments, f => Assert.True(f.StartsWithKeyframe));

        // The GOP is one fragment's worth of frames (30 fps x 2 s): every whole fragment is one GOP of ~2 s.
        Assert.All(sink.Fragments.SkipLast(1), f => Assert.Equal(60, f.FrameCount));
        Assert.All(sink.Fragments.SkipLast(1), f => Assert.InRange(f.DurationMs, 1900, 3000));
        Assert.All(sink.Timestamps.Zip(sink.Timestamps.Skip(1)), p => Assert.True(p.Second >= p.First));

        var path = SourceTestKit.TempFile(".mkv");
        try
        {
            await File.WriteAllBytesAsync(path, sink.Concatenate());
            Assert.Equal("", await SourceTestKit.DecodeErrorsAsync(path));
            var frames = await SourceTestKit.DecodeBgr24Async(path, 320, 240);
            Assert.Equal(sink.Timestamps.Count, frames.Count);
            for (var i = 0; i < frames.Count; i++)
            {
                Assert.True(SyntheticPattern.TryReadCaptureTime(frames[i], 320, 240, out var strip), $"frame {i}: no strip");
                Assert.Equal(sink.Timestamps[i], strip);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_file_in_encode_mode_is_decoded_by_opencv_and_encoded_again_and_stopping_leaves_no_ffmpeg_behind()
    {
        var spec = new VideoSourceSpec { Type = VideoSourceType.File, Path = Samples.PathOf(Samples.Baseline360p25), Mode = SourceMode.Encode, Loop = true };
        await using var source = VideoSources.Create(spec, new EncoderSettings { BitrateKbps = 500, Profile = "baseline" }, TimeSpan.FromSeconds(1));
        using var sink = new FragmentingSink(new FragmenterOptions { FragmentDuration = TimeSpan.FromSeconds(1) }, stopAfterFrames: 60);

        await SourceTestKit.RunUntilAsync(source, sink, TimeSpan.FromSeconds(25));

        Assert.InRange(sink.Timestamps.Count, 60, 80);
        Assert.Empty(SourceTestKit.ChildProcesses("ffmpeg", "-profile:v baseline"));
        var path = SourceTestKit.TempFile(".mkv");
        try
        {
            await File.WriteAllBytesAsync(path, sink.Concatenate());
            Assert.Equal("", await SourceTestKit.DecodeErrorsAsync(path));
            var probe = await FfprobeReport.ProbeAsync(path);
            Assert.Equal((640, 360), (probe.Streams[0].Width, probe.Streams[0].Height));
            Assert.Equal("Constrained Baseline", probe.Streams[0].Profile);
            // 25 fps and a one-second fragment: a GOP of 25 frames.
            Assert.All(probe.PacketsOf("video").Select((p, i) => (p, i)), x => Assert.Equal(x.i % 25 == 0, x.p.IsKey));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
