using VideoStreams.Media.Matroska;

namespace VideoStreams.Media.Remux;

/// <summary>
/// Repackages Matroska frames into CMAF: an init segment and then media segments cut at video keyframes, without
/// re-encoding. Feed it a reader's events (<see cref="Handle"/> fits <see cref="MatroskaEventHandler"/>), then call
/// <see cref="Complete"/>. Timestamps are kept as the input has them (tfdt = Matroska time), plus
/// <see cref="CmafSegmenterOptions.TimestampOffset"/>.
/// </summary>
/// <remarks>
/// Takes the first H.264 track and the first AAC track; other tracks are ignored. Video frames before the first keyframe
/// cannot be decoded and are dropped. A keyframe whose in-band SPS/PPS differ from the current ones (a resolution change)
/// always starts a new segment, preceded by a new init segment.
/// </remarks>
public sealed partial class CmafSegmenter : IDisposable
{
    private readonly ICmafSegmentSink _sink;
    private readonly CmafSegmenterOptions _options;
    private PendingTrack? _video;
    private PendingTrack? _audio;
    private ulong _videoNumber;
    private ulong _audioNumber;
    private ulong _timestampScale = 1_000_000;

    // A cut waiting for audio to catch up: video frames before _cutIndex form the segment, audio before _cutTime.
    private int _cutIndex = -1;
    private long _cutTime;

    /// <summary>Creates a segmenter that delivers to <paramref name="sink"/>.</summary>
    public CmafSegmenter(ICmafSegmentSink sink, CmafSegmenterOptions? options = null)
    {
        _sink = sink;
        _options = options ?? new CmafSegmenterOptions();
        _sequence = _options.FirstSequenceNumber - 1;
    }

    /// <summary>The tracks being packaged (video first), once Tracks has been read.</summary>
    public IReadOnlyList<RemuxTrack> Tracks => _video is null
        ? _audio is null ? [] : [_audio.Track]
        : _audio is null ? [_video.Track] : [_video.Track, _audio.Track];

    /// <summary>Video frames dropped because no keyframe had come before them.</summary>
    public int DroppedFrames { get; private set; }

    /// <summary>Handles one reader event.</summary>
    public void Handle(MatroskaReader reader, in MatroskaEvent ev)
    {
        switch (ev.Kind)
        {
            case MatroskaEventKind.Tracks:
                _timestampScale = reader.Info.TimestampScale;
                OnTracks(reader.Tracks);
                break;
            case MatroskaEventKind.Frame:
                OnFrame(ev.Frame);
                break;
        }
    }

    /// <summary>Emits everything still pending as the last segment.</summary>
    public void Complete()
    {
        if (_cutIndex >= 0)
        {
            EmitPendingCut();
        }

        Emit(_video?.Count ?? 0, long.MaxValue);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _video?.Dispose();
        _audio?.Dispose();
        _output.Clear();
    }

    private void OnTracks(IReadOnlyList<MatroskaTrack> tracks)
    {
        if (_video is null && _audio is null)
        {
            foreach (var track in tracks)
            {
                if (track.IsH264 && _video is null)
                {
                    _video = new PendingTrack(RemuxTrack.TryCreate(track, 1)!, _timestampScale);
                    _videoNumber = track.Number;
                }
                else if (track.IsAac && _audio is null)
                {
                    _audio = new PendingTrack(RemuxTrack.TryCreate(track, _video is null ? 1u : 2u)!, _timestampScale);
                    _audioNumber = track.Number;
                }
            }

            if (_video is null && _audio is null)
            {
                ThrowHelper.Throw(MediaFormatError.UnsupportedCodec, "no H.264 or AAC track to package");
            }

            return;
        }

        // A later document in the same stream (KVS sends one per fragment): its video configuration may differ.
        foreach (var track in tracks)
        {
            if (_video is not null && track.Number == _videoNumber)
            {
                _video.Track.ObserveCodecPrivate(track.CodecPrivate);
            }
        }
    }

    private void OnFrame(in MatroskaFrame frame)
    {
        if (_video is not null && frame.TrackNumber == _videoNumber)
        {
            OnVideoFrame(frame);
        }
        else if (_audio is not null && frame.TrackNumber == _audioNumber)
        {
            var pts = MediaTime.ToTimescale(frame.Timestamp + _options.TimestampOffset, _timestampScale, _audio.Track.Timescale);
            _audio.Add(pts, frame.Data, true, _audio.Track.CurrentDescription);
            if (_video is null && pts - _audio.Frames[0].Dts >= Ticks(_options.TargetSegmentDuration, _audio.Track.Timescale))
            {
                Emit(0, _audio.Frames[_audio.Count - 1].Dts);
            }
            else if (_cutIndex >= 0 && _audio.ExpectedNextDts >= AudioTime(_cutTime))
            {
                EmitPendingCut();
            }
        }
    }

    private void OnVideoFrame(in MatroskaFrame frame)
    {
        var video = _video!;
        var track = video.Track;
        var pts = MediaTime.ToTimescale(frame.Timestamp + _options.TimestampOffset, _timestampScale, track.Timescale);
        if (video.Count == 0 && video.LastEmittedDts == long.MinValue && !frame.IsKeyframe)
        {
            DroppedFrames++;
            return;
        }

        var descriptionBefore = track.CurrentDescription;
        var changed = frame.IsKeyframe && (track.ObserveKeyframe(frame.Data) || descriptionBefore != LastQueuedDescription(video));
        if (frame.IsKeyframe && video.Count > 0)
        {
            var segmentStart = _cutIndex >= 0 ? video.Frames[_cutIndex].Pts : video.Frames[0].Pts;
            if (changed || pts - segmentStart >= Ticks(_options.TargetSegmentDuration, track.Timescale))
            {
                if (_cutIndex >= 0)
                {
                    EmitPendingCut();
                }

                _cutIndex = video.Count;
                _cutTime = pts;
            }
        }

        video.Add(pts, frame.Data, frame.IsKeyframe, track.CurrentDescription);
        if (_cutIndex >= 0 && (_audio is null || _audio.ExpectedNextDts >= AudioTime(_cutTime)
            || pts - _cutTime >= Ticks(_options.MaxAudioWait, track.Timescale)))
        {
            EmitPendingCut();
        }
    }

    private static int LastQueuedDescription(PendingTrack video) =>
        video.Count > 0 ? video.Frames[video.Count - 1].Description : video.Track.CurrentDescription;

    private void EmitPendingCut()
    {
        var index = _cutIndex;
        _cutIndex = -1;
        Emit(index, _audio is null ? long.MaxValue : AudioTime(_cutTime));
    }

    private long AudioTime(long videoTime) =>
        (long)((Int128)videoTime * _audio!.Track.Timescale / MediaTime.VideoTimescale);

    private static long Ticks(TimeSpan span, uint timescale) => (long)(span.TotalSeconds * timescale);
}
