using Microsoft.Extensions.Time.Testing;
using VideoStreams.Producer.Sources;
using VideoStreams.TestSupport;

namespace VideoStreams.Producer.Tests.Sources;

public sealed class SyntheticPatternTests
{
    [Theory]
    [InlineData(1280, 720)]
    [InlineData(320, 240)]
    [InlineData(128, 64)]
    public void The_strip_reads_back_the_time_written_into_it(int width, int height)
    {
        var frame = new byte[width * height * 3];
        var random = new Random(7);
        for (var i = 0; i < 100; i++)
        {
            var epochMs = 1_700_000_000_000 + random.NextInt64(0, 100_000_000_000);
            random.NextBytes(frame);
            SyntheticPattern.WriteCaptureTime(frame, width, height, epochMs);
            Assert.True(SyntheticPattern.TryReadCaptureTime(frame, width, height, out var read));
            Assert.Equal(epochMs, read);
        }
    }

    [Fact]
    public void A_frame_without_a_strip_or_with_a_damaged_one_reads_as_nothing()
    {
        var frame = new byte[320 * 240 * 3];
        Assert.False(SyntheticPattern.TryReadCaptureTime(frame, 320, 240, out _));

        SyntheticPattern.WriteCaptureTime(frame, 320, 240, 1_795_000_000_123);
        // Flip one time bit (block 30) in every row of the strip: the check no longer holds.
        var x = 30 * 320 / SyntheticPattern.StripBlocks;
        var w = (31 * 320 / SyntheticPattern.StripBlocks) - x;
        for (var y = 0; y < SyntheticPattern.StripHeight(240); y++)
        {
            var row = frame.AsSpan(((y * 320) + x) * 3, w * 3);
            var value = row[0] == 0 ? (byte)255 : (byte)0;
            row.Fill(value);
        }

        Assert.False(SyntheticPattern.TryReadCaptureTime(frame, 320, 240, out _));
    }

    [Theory]
    [InlineData(1280, 720, 20)]
    [InlineData(320, 240, 40)]
    public async Task Every_frame_of_the_pattern_encoded_with_libx264_at_2_mbps_reads_back_its_exact_capture_time(int width, int height, int count)
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_000));
        using var source = new SyntheticFrameSource(width, height, 30, time);
        source.Open();
        using var frame = new RawFrame(width, height);
        var raw = SourceTestKit.TempFile(".bgr");
        var encoded = SourceTestKit.TempFile(".mkv");
        var times = new List<long>();
        var random = new Random(3);
        try
        {
            await using (var output = File.Create(raw))
            {
                for (var i = 0; i < count; i++)
                {
                    var next = source.NextFrameAsync(frame, CancellationToken.None);
                    if (i > 0)
                    {
                        // The period, plus a few ms of jitter, so every millisecond digit changes.
                        time.Advance(TimeSpan.FromMilliseconds(34 + random.Next(0, 7)));
                    }

                    times.Add(await next);
                    await output.WriteAsync(frame.Data);
                }
            }

            var size = $"{width}x{height}";
            (await ToolRunner.RunAsync("ffmpeg", ["-nostdin", "-v", "error", "-f", "rawvideo", "-pix_fmt", "bgr24", "-video_size", size, "-framerate", "30", "-i", raw,
                "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-b:v", "2000k", "-maxrate", "2000k", "-bufsize", "4000k", "-pix_fmt", "yuv420p", "-g", "60", "-y", encoded])).EnsureSuccess("ffmpeg encode");
            var decoded = await SourceTestKit.DecodeBgr24Async(encoded, width, height);

            Assert.Equal(count, decoded.Count);
            for (var i = 0; i < count; i++)
            {
                Assert.True(SyntheticPattern.TryReadCaptureTime(decoded[i], width, height, out var read), $"frame {i}: strip unreadable");
                Assert.Equal(times[i], read);
            }
        }
        finally
        {
            File.Delete(raw);
            File.Delete(encoded);
        }
    }
}
