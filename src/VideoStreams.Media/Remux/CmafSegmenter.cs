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

    // A part cut waiting for the next clean place (B-frames): video frames before _partCut form the part.
    private int _partCut = -1;

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
    public void Complete() => Flush();

    /// <summary>
    /// Starts packaging without a <see cref="MatroskaReader"/>: the stream's Info and Tracks (as <see cref="Handle"/>
    /// does on the reader's Tracks event). Frames follow through <see cref="Add"/>.
    /// </summary>
    public void Begin(MatroskaSegmentInfo info, IReadOnlyList<MatroskaTrack> tracks)
    {
        _timestampScale = info.TimestampScale;
        OnTracks(tracks);
    }

    /// <summary>Adds one frame (after <see cref="Begin"/>); its bytes are copied, so the frame's memory may be reused.</summary>
    public void Add(in MatroskaFrame frame) => OnFrame(frame);

    /// <summary>
    /// Emits everything pending now (the last video frame gets the previous frame's duration, as at the end of input);
    /// packaging may go on afterwards, decode times continuing. Low-latency HLS calls it where a segment ends.
    /// </summary>
    public void Flush()
    {
        if (_cutIndex >= 0)
        {
            EmitPendingCut();
        }

        Emit(_video?.Count ?? 0, long.MaxValue);
    }

    /// <summary>Drops the frames not yet emitted (e.g. the rest of a fragment the ingest rejected); what was emitted stays.</summary>
    public void Discard()
    {
        _cutIndex = -1;
        _partCut = -1;
        _video?.RemoveFirst(_video.Count);
        _audio?.RemoveFirst(_audio.Count);
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
            if (_video is null && pts - _audio.Frames[0].Dts >= Ticks(_options.PartTargetDuration ?? _options.TargetSegmentDuration, _audio.Track.Timescale))
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

        var clean = video.Count > 0 && pts > LatestPts(video, 0, video.Count);
        var interval = video.Count > 0 ? Math.Max(0, pts - video.Frames[video.Count - 1].Pts) : 0;
        video.Add(pts, frame.Data, frame.IsKeyframe, track.CurrentDescription);
        if (_cutIndex >= 0 && (_audio is null || _audio.ExpectedNextDts >= AudioTime(_cutTime)
            || pts - _cutTime >= Ticks(_options.MaxAudioWait, track.Timescale)))
        {
            EmitPendingCut();
        }
        else if (_cutIndex < 0 && clean && _options.PartTargetDuration is { } part)
        {
            CutParts(video, pts, interval, Ticks(part, track.Timescale));
        }
    }

    /// <summary>
    /// Parts (see <see cref="CmafSegmenterOptions.PartTargetDuration"/>). The newest frame is presented after every
    /// frame before it: a clean place to cut, where the decode times of the frames before it (their presentation times
    /// sorted, see <see cref="DecodeTimeline"/>) do not depend on the frames after. Without reordering (the SPS says so)
    /// the part goes out at once. A part ends where one more frame would take it past the target. With B-frames the last frame's duration runs to the next part's first decode time, the
    /// smallest presentation time after the cut, known only at the next clean place: the cut waits for it.
    /// </summary>
    private void CutParts(PendingTrack video, long pts, long interval, long partTicks)
    {
        var newest = video.Count - 1;
        if (_partCut > 0)
        {
            var cut = _partCut;
            var nextStart = long.MaxValue;
            foreach (ref readonly var f in video.Frames[cut..newest])
            {
                nextStart = Math.Min(nextStart, f.Pts);
            }

            Emit(cut, _audio is null ? long.MaxValue : AudioTime(nextStart), nextStart);
            newest -= cut;
        }

        // Cut before the newest frame when one more frame (at the last interval) would take the part past its target:
        // parts then stay within the target as long as the frame rate is steady.
        if (newest > 0 && pts - video.Frames[0].Pts + interval > partTicks)
        {
            if (video.Track.ReorderFrames(video.Track.CurrentDescription) == 0)
            {
                Emit(newest, _audio is null ? long.MaxValue : AudioTime(pts));
            }
            else
            {
                _partCut = newest;
            }
        }
    }

    private static long LatestPts(PendingTrack video, int start, int end)
    {
        var latest = long.MinValue;
        foreach (ref readonly var f in video.Frames[start..end])
        {
            latest = Math.Max(latest, f.Pts);
        }

        return latest;
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
