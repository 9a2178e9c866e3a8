using VideoStreams.Media.Remux;

namespace VideoStreams.Media.Tests.Remux;

public sealed class DecodeTimelineTests
{
    [Fact]
    public void Decode_times_are_the_sorted_presentation_times_so_the_first_frame_has_no_offset()
    {
        // I0 P3 B1 B2 in decode order (ticks of one frame).
        long[] pts = [0, 3, 1, 2];
        var dts = new long[4];

        DecodeTimeline.AssignVideo(pts, dts, long.MinValue);

        Assert.Equal([0L, 1, 2, 3], dts);
        Assert.Equal([0L, 2, -1, -1], pts.Zip(dts, (p, d) => p - d));
    }

    [Fact]
    public void Decode_times_stay_above_the_previous_group_even_for_open_gops()
    {
        // An open GOP: leading B-frames present before the keyframe and before the end of the previous group.
        long[] pts = [10, 8, 9, 13, 11, 12];
        var dts = new long[6];

        DecodeTimeline.AssignVideo(pts, dts, previousDts: 8);

        Assert.Equal([9L, 10, 11, 12, 13, 14], dts);
    }

    [Theory]
    [InlineData(1024 + 40, 1024)] // within a millisecond at 48 kHz: on the grid
    [InlineData(1024 - 48, 1024)]
    [InlineData(1024 + 500, 1524)] // a real gap is kept
    public void Audio_times_snap_to_where_the_previous_frame_ended(long pts, long expectedDts)
    {
        var expected = 1024L;
        var tolerance = DecodeTimeline.AudioTolerance(1_000_000, 48_000);

        var dts = DecodeTimeline.NextAudio(pts, ref expected, tolerance, 1024);

        Assert.Equal(expectedDts, dts);
        Assert.Equal(expectedDts + 1024, expected);
    }

    [Fact]
    public void Audio_times_that_go_backwards_still_give_increasing_decode_times()
    {
        var expected = long.MinValue;
        var tolerance = DecodeTimeline.AudioTolerance(1_000_000, 48_000);
        var first = DecodeTimeline.NextAudio(48_000, ref expected, tolerance, 1024);

        var second = DecodeTimeline.NextAudio(0, ref expected, tolerance, 1024);

        Assert.True(second > first);
    }

    [Fact]
    public void Epoch_millisecond_timestamps_convert_to_90khz_without_overflow()
    {
        // KVS ABSOLUTE cluster times are epoch milliseconds: 1.7e12 ms is 1.7e21 ns, past a long.
        const long EpochMs = 1_764_115_200_123;

        Assert.Equal(EpochMs * 90, MediaTime.ToTimescale(EpochMs, 1_000_000, 90_000));
        Assert.Equal(EpochMs * 48, MediaTime.ToTimescale(EpochMs, 1_000_000, 48_000));
        Assert.Equal(EpochMs * 9_000, MediaTime.ToTimescale(EpochMs * 100, 10_000, 90_000 * 100));
    }

    [Fact]
    public void Conversion_rounds_to_the_nearest_tick()
    {
        // 100 ns ticks (the KVS producer SDK's unit) into 90 kHz.
        Assert.Equal(3, MediaTime.ToTimescale(333, 100, 90_000));
        Assert.Equal(-3, MediaTime.ToTimescale(-333, 100, 90_000));
    }
}
