using VideoStreams.Media.Matroska;
using VideoStreams.Media.Mp4;

namespace VideoStreams.Media.Remux;

/// <summary>One track's frames as planned for a progressive MP4: times, sizes and source offsets, never the bytes.</summary>
internal sealed class TrackFrames(RemuxTrack track)
{
    private Frame[] _frames = new Frame[256];

    public RemuxTrack Track { get; } = track;

    public ulong Number => Track.Source.Number;

    public int Count { get; private set; }

    public ICollection<Frame> Frames => new ArraySegment<Frame>(_frames, 0, Count);

    public int Dropped { get; private set; }

    public void Add(in MatroskaFrame frame, long pts)
    {
        if (Track.Kind == Mp4TrackKind.Video)
        {
            if (Count == 0 && !frame.IsKeyframe)
            {
                // Nothing before the first keyframe can be decoded.
                Dropped++;
                return;
            }

            if (frame.IsKeyframe)
            {
                Track.ObserveKeyframe(frame.Data);
            }
        }

        if (Count == _frames.Length)
        {
            Array.Resize(ref _frames, Count * 2);
        }

        _frames[Count++] = new Frame(pts, frame.DataOffset, checked((int)frame.Data.Length), Track.CurrentDescription, frame.IsKeyframe);
    }

    public long[] Offsets()
    {
        var offsets = new long[Count];
        for (var i = 0; i < Count; i++)
        {
            offsets[i] = _frames[i].Offset;
        }

        return offsets;
    }

    /// <summary>Video samples: decode times per group of pictures (sorted presentation times), see <see cref="DecodeTimeline"/>.</summary>
    public Mp4Sample[] BuildVideoSamples(out long firstDts)
    {
        var pts = new long[Count];
        var keyframes = new bool[Count];
        var dts = new long[Count];
        for (var i = 0; i < Count; i++)
        {
            pts[i] = _frames[i].Pts;
            keyframes[i] = _frames[i].IsKeyframe;
        }

        // A change of sample description starts a group too: the keyframe carrying it always does.
        DecodeTimeline.AssignVideoGroups(pts, keyframes, dts, long.MinValue);
        firstDts = dts[0];
        var samples = new Mp4Sample[Count];
        long duration = 0;
        for (var i = 0; i < Count; i++)
        {
            duration = i + 1 < Count ? dts[i + 1] - dts[i] : DecodeTimeline.FallbackDuration(duration, Track.Timescale);
            samples[i] = new Mp4Sample(dts[i] - firstDts, (uint)duration, checked((int)(pts[i] - dts[i])), _frames[i].Size, _frames[i].IsKeyframe, _frames[i].Description);
        }

        return samples;
    }

    /// <summary>Audio samples: decode time = presentation time, snapped to the frame grid (see <see cref="DecodeTimeline.NextAudio"/>).</summary>
    public Mp4Sample[] BuildAudioSamples(ulong timestampScale, out long firstDts)
    {
        var tolerance = DecodeTimeline.AudioTolerance(timestampScale, Track.Timescale);
        var expected = long.MinValue;
        var dts = new long[Count];
        for (var i = 0; i < Count; i++)
        {
            dts[i] = DecodeTimeline.NextAudio(_frames[i].Pts, ref expected, tolerance, Track.SamplesPerFrame);
        }

        firstDts = dts[0];
        var samples = new Mp4Sample[Count];
        for (var i = 0; i < Count; i++)
        {
            var duration = i + 1 < Count ? dts[i + 1] - dts[i] : Track.SamplesPerFrame;
            samples[i] = new Mp4Sample(dts[i] - firstDts, (uint)duration, 0, _frames[i].Size, true);
        }

        return samples;
    }

    internal readonly record struct Frame(long Pts, long Offset, int Size, int Description, bool IsKeyframe);
}
