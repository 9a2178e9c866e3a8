using System.Buffers;
using VideoStreams.Media.Mp4;

namespace VideoStreams.Media.Remux;

/// <summary>Packing pending frames into init and media segments.</summary>
public sealed partial class CmafSegmenter
{
    private readonly ArrayBufferWriter<byte> _output = new(1 << 20);
    private readonly TrackFragment[] _fragments = new TrackFragment[2];
    private Mp4Sample[] _videoSamples = new Mp4Sample[64];
    private Mp4Sample[] _audioSamples = new Mp4Sample[64];
    private long[] _pts = new long[64];
    private long[] _dts = new long[64];
    private bool[] _keyframes = new bool[64];
    private uint _sequence;
    private int _initIndex = -1;
    private int _initDescription = -1;
    private long _compositionDelay;

    /// <summary>
    /// Emits video frames [0, <paramref name="videoCount"/>) and audio frames decoded before <paramref name="audioCut"/>;
    /// <paramref name="nextVideoStart"/> is the decode time of the video frame after them when it is not that frame's
    /// presentation time (a part cut inside a group of pictures with B-frames).
    /// </summary>
    private void Emit(int videoCount, long audioCut, long nextVideoStart = long.MinValue)
    {
        var audioCount = 0;
        if (_audio is not null)
        {
            var frames = _audio.Frames;
            while (audioCount < frames.Length && frames[audioCount].Dts < audioCut)
            {
                audioCount++;
            }
        }

        if (videoCount == 0 && audioCount == 0)
        {
            return;
        }

        if (videoCount > 0)
        {
            AssignVideoTimes(videoCount);
        }

        var description = videoCount > 0 ? _video!.Frames[0].Description : Math.Max(_initDescription, 0);
        var discontinuity = false;
        if (_initIndex < 0 || description != _initDescription)
        {
            WriteInit(description, videoCount > 0 ? CompositionDelay(videoCount, description) : 0);
            discontinuity = _initIndex > 0;
        }

        var fragments = 0;
        double start = 0, duration = 0;
        if (videoCount > 0)
        {
            var first = BuildVideoSamples(videoCount, nextVideoStart, out var total);
            _fragments[fragments++] = new TrackFragment(_video!.Track.TrackId, first, _videoSamples.AsMemory(0, videoCount));
            (start, duration) = (MediaTime.ToSeconds(first, _video.Track.Timescale), MediaTime.ToSeconds(total, _video.Track.Timescale));
        }

        if (audioCount > 0)
        {
            var first = BuildAudioSamples(audioCount, out var total);
            _fragments[fragments++] = new TrackFragment(_audio!.Track.TrackId, first, _audioSamples.AsMemory(0, audioCount));
            if (videoCount == 0)
            {
                (start, duration) = (MediaTime.ToSeconds(first, _audio.Track.Timescale), MediaTime.ToSeconds(total, _audio.Track.Timescale));
            }
        }

        _output.ResetWrittenCount();
        CmafWriter.WriteFragmentHeader(_output, ++_sequence, _fragments.AsSpan(0, fragments));
        var startsWithKeyframe = videoCount > 0 && _video!.Frames[0].IsKeyframe;
        WritePayload(_video, videoCount);
        WritePayload(_audio, audioCount);
        _sink.OnMediaSegment(new CmafMediaSegment(_sequence, _initIndex, discontinuity, start, duration, startsWithKeyframe, _output.WrittenMemory));
        _video?.RemoveFirst(videoCount);
        _audio?.RemoveFirst(audioCount);
        _partCut = _partCut > videoCount ? _partCut - videoCount : -1;
    }

    private void WriteInit(int description, long compositionDelay)
    {
        var tracks = new List<Mp4Track>(2);
        var codecs = new List<string>(2);
        int width = 0, height = 0;
        if (_video is not null)
        {
            tracks.Add(_video.Track.ToMp4Track(description, compositionDelay));
            codecs.Add(_video.Track.CodecStrings[description]);
            var avc = (AvcSampleDescription)_video.Track.Descriptions[description];
            (width, height) = (avc.Width, avc.Height);
        }

        if (_audio is not null)
        {
            tracks.Add(_audio.Track.ToMp4Track(0));
            codecs.Add(_audio.Track.CodecStrings[0]);
        }

        _output.ResetWrittenCount();
        CmafWriter.WriteInitSegment(_output, tracks);
        _initDescription = description;
        _compositionDelay = compositionDelay;
        _sink.OnInitSegment(new CmafInitSegment(++_initIndex, _output.WrittenMemory, string.Join(',', codecs), width, height));
    }

    /// <summary>Decode times per group of pictures: the sorted presentation times (see <see cref="DecodeTimeline"/>).</summary>
    private void AssignVideoTimes(int count)
    {
        var frames = _video!.Frames;
        EnsureCapacity(ref _pts, count);
        EnsureCapacity(ref _dts, count);
        EnsureCapacity(ref _keyframes, count);
        for (var i = 0; i < count; i++)
        {
            _pts[i] = frames[i].Pts;
            _keyframes[i] = frames[i].IsKeyframe;
        }

        DecodeTimeline.AssignVideoGroups(_pts.AsSpan(0, count), _keyframes.AsSpan(0, count), _dts, _video.LastEmittedDts);
    }

    /// <summary>
    /// The shift that keeps composition offsets non-negative for this rendition: the largest DTS − PTS seen in its first
    /// segment, or the SPS's reorder depth times the frame duration when that is larger (later GOPs may reorder more).
    /// </summary>
    private long CompositionDelay(int count, int description)
    {
        long observed = 0, frameDuration = long.MaxValue;
        for (var i = 0; i < count; i++)
        {
            observed = Math.Max(observed, _dts[i] - _pts[i]);
            if (i > 0)
            {
                frameDuration = Math.Min(frameDuration, _dts[i] - _dts[i - 1]);
            }
        }

        var reorder = _video!.Track.ReorderFrames(description) ?? 0;
        var delay = frameDuration == long.MaxValue ? observed : Math.Max(observed, reorder * frameDuration);

        // Parts: the init goes out with the first ~part of frames, so later B-frames' offsets are not seen yet; Matroska's
        // rounding can put them a tick further. Two ticks of margin (the edit list removes it, presentation is unchanged).
        return delay > 0 && _options.PartTargetDuration is not null
            ? delay + (2 * MediaTime.ToTimescale(1, _timestampScale, _video.Track.Timescale))
            : delay;
    }

    /// <summary>
    /// Samples with durations up to the next one; composition offsets are PTS − DTS + the rendition's delay, which the
    /// init segment's edit list removes (ffmpeg 5.1 misreads negative offsets in fragments; browsers honour the edit).
    /// </summary>
    private long BuildVideoSamples(int count, long nextStart, out long total)
    {
        var video = _video!;
        var frames = video.Frames;
        EnsureCapacity(ref _videoSamples, count);
        var last = _dts[count - 1];

        // The next sample (the keyframe that cut this segment) starts where the last one ends.
        var next = count < video.Count ? Math.Max(nextStart != long.MinValue ? nextStart : frames[count].Pts, last + 1) : long.MinValue;
        for (var i = 0; i < count; i++)
        {
            var duration = i + 1 < count ? _dts[i + 1] - _dts[i]
                : next != long.MinValue ? next - _dts[i]
                : DecodeTimeline.FallbackDuration(video.LastDuration, video.Track.Timescale);
            video.LastDuration = duration;
            var offset = checked((int)(_pts[i] - _dts[i] + _compositionDelay));
            _videoSamples[i] = new Mp4Sample(_dts[i], (uint)duration, offset, frames[i].Size, frames[i].IsKeyframe);
        }

        video.LastEmittedDts = last;
        total = last + video.LastDuration - _dts[0];
        return _dts[0];
    }

    private long BuildAudioSamples(int count, out long total)
    {
        var audio = _audio!;
        var frames = audio.Frames;
        EnsureCapacity(ref _audioSamples, count);
        for (var i = 0; i < count; i++)
        {
            var duration = i + 1 < frames.Length ? frames[i + 1].Dts - frames[i].Dts : audio.Track.SamplesPerFrame;
            _audioSamples[i] = new Mp4Sample(frames[i].Dts, (uint)Math.Max(duration, 1), 0, frames[i].Size, true);
        }

        total = frames[count - 1].Dts + _audioSamples[count - 1].Duration - frames[0].Dts;
        return frames[0].Dts;
    }

    /// <summary>A track's frames are stored back to back in decode order, so its mdat share is one copy.</summary>
    private void WritePayload(PendingTrack? track, int count)
    {
        if (track is null || count == 0)
        {
            return;
        }

        var frames = track.Frames;
        var start = frames[0].DataStart;
        var end = frames[count - 1].DataStart + frames[count - 1].Size;
        _output.Write(track.Data(start, end - start));
    }

    private static void EnsureCapacity<T>(ref T[] array, int count)
    {
        if (array.Length < count)
        {
            Array.Resize(ref array, Math.Max(count, array.Length * 2));
        }
    }
}
