using VideoStreams.Media.Matroska;
using VideoStreams.Media.Mp4;
using VideoStreams.Media.Remux;

namespace VideoStreams.Media.Probe;

/// <summary>Per-track tallies gathered while the reader runs.</summary>
internal sealed class ProbeState
{
    private readonly List<TrackTally> _tracks = [];
    private string _docType = "matroska";
    private string? _muxingApp;
    private ulong _scale = 1_000_000;
    private int _clusters;

    public void Handle(MatroskaReader reader, in MatroskaEvent ev)
    {
        switch (ev.Kind)
        {
            case MatroskaEventKind.EbmlHeader:
                _docType = reader.Header!.DocType;
                break;
            case MatroskaEventKind.Info:
                _muxingApp = reader.Info.MuxingApp;
                break;
            case MatroskaEventKind.Tracks:
                _scale = reader.Info.TimestampScale;
                foreach (var track in reader.Tracks)
                {
                    if (!_tracks.Exists(t => t.Source.Number == track.Number))
                    {
                        _tracks.Add(new TrackTally(track));
                    }
                }

                break;
            case MatroskaEventKind.ClusterStart:
                _clusters++;
                break;
            case MatroskaEventKind.Frame:
                var frame = ev.Frame;
                _tracks.Find(t => t.Source.Number == frame.TrackNumber)?.Add(frame, _scale, ev.Offset);
                break;
        }
    }

    public MediaProbeResult Result(long size)
    {
        var tracks = _tracks.Select(t => t.Result()).ToList();
        var withFrames = tracks.Where(t => t.Frames > 0).ToList();
        var start = withFrames.Count > 0 ? withFrames.Min(t => t.StartSeconds) : 0;
        var end = withFrames.Count > 0 ? withFrames.Max(t => t.StartSeconds + t.DurationSeconds) : 0;
        return new MediaProbeResult
        {
            DocType = _docType,
            MuxingApp = _muxingApp,
            Size = size,
            Clusters = _clusters,
            DurationSeconds = end - start,
            Tracks = tracks,
        };
    }

    private sealed class TrackTally(MatroskaTrack source)
    {
        private readonly RemuxTrack? _remux = RemuxTrack.TryCreate(source, 1);
        private readonly List<ProbedKeyframe> _keyframes = [];
        private readonly List<ProbedConfiguration> _configurations = [];
        private long _minTicks = long.MaxValue;
        private long _maxTicks = long.MinValue;
        private long _bytes;
        private int _frames;
        private ulong _scale = 1_000_000;

        public MatroskaTrack Source { get; } = source;

        public void Add(in MatroskaFrame frame, ulong scale, long blockOffset)
        {
            _scale = scale;
            _frames++;
            _bytes += frame.Data.Length;
            _minTicks = Math.Min(_minTicks, frame.Timestamp);
            _maxTicks = Math.Max(_maxTicks, frame.Timestamp);
            if (_remux is { Kind: Mp4TrackKind.Video } && frame.IsKeyframe)
            {
                _keyframes.Add(new ProbedKeyframe(Seconds(frame.Timestamp), blockOffset));
                if (_remux.ObserveKeyframe(frame.Data) || _configurations.Count == 0)
                {
                    var d = (AvcSampleDescription)_remux.Descriptions[_remux.CurrentDescription];
                    _configurations.Add(new ProbedConfiguration(Seconds(frame.Timestamp), _remux.CodecStrings[_remux.CurrentDescription], d.Width, d.Height));
                }
            }
        }

        public ProbedTrack Result()
        {
            var span = _frames == 0 ? 0 : Seconds(_maxTicks - _minTicks);
            // The last frame lasts about as long as the average one.
            var duration = _frames > 1 ? span * _frames / (_frames - 1) : span;
            var first = _configurations.Count > 0 ? _configurations[0] : default;
            var audio = _remux?.Descriptions[0] as AacSampleDescription;
            return new ProbedTrack
            {
                Number = Source.Number,
                Type = Source.Type.ToString().ToLowerInvariant(),
                CodecId = Source.CodecId,
                Codec = _remux?.CodecStrings[0],
                Width = first.Width != 0 ? first.Width : Source.PixelWidth,
                Height = first.Height != 0 ? first.Height : Source.PixelHeight,
                SampleRate = audio?.SampleRate ?? (int)Source.SamplingFrequency,
                Channels = audio?.ChannelCount ?? Source.Channels,
                Frames = _frames,
                Bytes = _bytes,
                StartSeconds = _frames == 0 ? 0 : Seconds(_minTicks),
                DurationSeconds = duration,
                FrameRate = Source.Type == MatroskaTrackType.Video && duration > 0 ? _frames / duration : 0,
                BitRate = duration > 0 ? (long)(_bytes * 8 / duration) : 0,
                Keyframes = _keyframes,
                Configurations = _configurations,
            };
        }

        private double Seconds(long ticks) => ticks * (double)_scale / 1e9;
    }
}
