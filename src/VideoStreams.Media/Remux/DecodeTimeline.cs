namespace VideoStreams.Media.Remux;

/// <summary>
/// Decode times for Matroska input, which stores only presentation times. Our rule (see docs/MEDIA.md): within a
/// group of pictures, the decode times are the presentation times sorted, so the first frame has DTS = PTS and
/// B-frames get negative composition offsets; presentation times are kept exactly and no edit list is needed.
/// </summary>
internal static class DecodeTimeline
{
    /// <summary>
    /// Writes into <paramref name="dts"/> the decode times of one group of pictures whose presentation times, in decode
    /// order, are <paramref name="pts"/>. Decode times stay strictly above <paramref name="previousDts"/>, so an open GOP or
    /// jittery input still gives a strictly increasing timeline.
    /// </summary>
    public static void AssignVideo(ReadOnlySpan<long> pts, Span<long> dts, long previousDts)
    {
        pts.CopyTo(dts);
        dts[..pts.Length].Sort();
        for (var i = 0; i < pts.Length; i++)
        {
            if (dts[i] <= previousDts)
            {
                dts[i] = previousDts + 1;
            }

            previousDts = dts[i];
        }
    }

    /// <summary>
    /// Decode times for a run of video frames in decode order: each group of pictures (from one keyframe to the next)
    /// gets <see cref="AssignVideo"/>. Returns the last decode time.
    /// </summary>
    public static long AssignVideoGroups(ReadOnlySpan<long> pts, ReadOnlySpan<bool> keyframes, Span<long> dts, long previousDts)
    {
        for (int start = 0, i = 1; i <= pts.Length; i++)
        {
            if (i == pts.Length || keyframes[i])
            {
                AssignVideo(pts[start..i], dts[start..i], previousDts);
                previousDts = dts[i - 1];
                start = i;
            }
        }

        return previousDts;
    }

    /// <summary>
    /// Audio frames follow each other back to back; Matroska rounds their times to its tick (1 ms by default, i.e. ±48
    /// samples at 48 kHz). A time within <paramref name="tolerance"/> of where the previous frame ended is taken as exactly
    /// that, so the MP4 timeline has no jitter; anything further away is a real gap and is kept.
    /// </summary>
    public static long SnapAudio(long pts, long expected, long tolerance) =>
        expected != long.MinValue && Math.Abs(pts - expected) <= tolerance ? expected : pts;

    /// <summary>
    /// Decode time of the next audio frame: snapped (<see cref="SnapAudio"/>) and never before the previous frame's, so
    /// backwards input cannot make decode times go backwards. Advances <paramref name="expected"/> past the frame.
    /// </summary>
    public static long NextAudio(long pts, ref long expected, long tolerance, int samplesPerFrame)
    {
        var dts = SnapAudio(pts, expected, tolerance);
        if (expected != long.MinValue && dts <= expected - samplesPerFrame)
        {
            dts = expected - samplesPerFrame + 1;
        }

        expected = dts + samplesPerFrame;
        return dts;
    }

    /// <summary>Tolerance for <see cref="SnapAudio"/>: one Matroska tick in the track's units, plus rounding.</summary>
    public static long AudioTolerance(ulong timestampScale, uint timescale) =>
        MediaTime.ToTimescale(1, timestampScale, timescale) + 1;

    /// <summary>Duration of the last sample of a run when what follows is unknown.</summary>
    public static uint FallbackDuration(long previousDuration, uint timescale) =>
        previousDuration > 0 ? (uint)previousDuration : timescale / 30;
}
