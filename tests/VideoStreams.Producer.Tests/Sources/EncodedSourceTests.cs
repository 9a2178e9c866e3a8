using VideoStreams.Producer.Fragmenting;
using VideoStreams.Producer.Sources;

namespace VideoStreams.Producer.Tests.Sources;

public sealed class EncodedSourceTests
{
    [Fact]
    public async Task Synthetic_source_encoded_and_fragmented_gives_idr_aligned_two_second_fragments_whose_strips_read_back_the_access_unit_times()
    {
        var spec = new VideoSourceSpec { Type = VideoSourceType.Synthetic, Width = 320, Height = 240, FrameRate = 30 };
        await using var source = VideoSources.Create(spec, new EncoderSettings { BitrateKbps = 2000 }, TimeSpan.FromSeconds(2));
        using var sink = new FragmentingSink(stopAfterFrames: 30 * 5);

        await SourceTestKit.RunUntilAsync(source, sink, TimeSpan.FromSeconds(25));

        Assert.Equal(AccessUnitFormat.AnnexB, sink.Format);
        Assert.InRange(sink.Timestamps.Count, 150, 170);
        var fragments = string.Join(", ", sink.Fragments.Select(f => $"{f.FrameCount} frames/{f.DurationMs} ms"));
        Assert.True(sink.Fragments.Count >= 2, fragments);
        Assert.All(sink.Fragments, f => Assert.True(f.StartsWithKeyframe));

        // The GOP is one fragment's worth of frames (30 fps x 2 s): every whole fragment is a whole number of GOPs,
        // so it starts on an IDR, and the first one is cut at the first IDR after 2 s.
        Assert.All(sink.Fragments.SkipLast(1), f => Assert.True(f.FrameCount % 60 == 0, fragments));
        Assert.Equal(60, sink.Fragments[0].FrameCount);
        Assert.InRange(sink.Fragments[0].DurationMs, 1900, 4000);
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
}
