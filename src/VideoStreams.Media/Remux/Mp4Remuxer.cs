using Microsoft.Win32.SafeHandles;
using VideoStreams.Media.Matroska;
using VideoStreams.Media.Mp4;

namespace VideoStreams.Media.Remux;

/// <summary>
/// Matroska → progressive MP4 (moov first) without re-encoding, in two passes: <see cref="PlanAsync"/> reads the input
/// once and keeps only where each frame is (no frame bytes), then <see cref="Mp4RemuxPlan"/> writes the file by copying
/// frames from their source offsets. Memory stays small whatever the file size.
/// </summary>
/// <remarks>
/// The movie starts at the earliest frame of any track (time 0); a track that starts later gets an empty edit, so
/// relative timing is kept exactly. Takes the first H.264 and the first AAC track.
/// </remarks>
public static class Mp4Remuxer
{
    /// <summary>Plans the remux of a Matroska file held in memory.</summary>
    /// <exception cref="MediaFormatException">The input is malformed, truncated, or has no H.264/AAC track.</exception>
    public static Mp4RemuxPlan Plan(ReadOnlyMemory<byte> matroska, Mp4LayoutOptions? options = null)
    {
        var builder = new Mp4PlanBuilder();
        new MatroskaReader().ReadAll(matroska, builder.Handle);
        return builder.Build(options);
    }

    /// <summary>Plans the remux of a Matroska file, reading it synchronously (the fastest way for a local file).</summary>
    /// <exception cref="MediaFormatException">The input is malformed, truncated, or has no H.264/AAC track.</exception>
    public static Mp4RemuxPlan Plan(SafeFileHandle matroska, Mp4LayoutOptions? options = null)
    {
        var builder = new Mp4PlanBuilder();
        new MatroskaReader().ReadFile(matroska, builder.Handle);
        return builder.Build(options);
    }

    /// <summary>Plans the remux of a Matroska stream read to its end.</summary>
    /// <exception cref="MediaFormatException">The input is malformed, truncated, or has no H.264/AAC track.</exception>
    public static async Task<Mp4RemuxPlan> PlanAsync(Stream matroska, Mp4LayoutOptions? options = null, CancellationToken cancellationToken = default)
    {
        var builder = new Mp4PlanBuilder();
        await new MatroskaReader().ReadAsync(matroska, builder.Handle, cancellationToken).ConfigureAwait(false);
        return builder.Build(options);
    }
}

/// <summary>Collects frame positions and times while a reader runs, then derives the MP4 sample tables.</summary>
internal sealed class Mp4PlanBuilder
{
    private readonly List<TrackFrames> _tracks = [];
    private ulong _timestampScale = 1_000_000;
    private long _clusterTimestamp;
    private long? _clusterBase;

    /// <summary>
    /// Where the clusters read from now on start, in milliseconds, or null to keep their own timestamps. Clusters of
    /// different recordings (each with its own time origin) then share one timeline.
    /// </summary>
    public long? NextClusterStartMs { get; set; }

    public void Handle(MatroskaReader reader, in MatroskaEvent ev)
    {
        switch (ev.Kind)
        {
            case MatroskaEventKind.Tracks:
                _timestampScale = reader.Info.TimestampScale;
                OnTracks(reader.Tracks);
                break;
            case MatroskaEventKind.ClusterStart:
                _clusterTimestamp = reader.ClusterTimestamp;
                _clusterBase = NextClusterStartMs;
                break;
            case MatroskaEventKind.Frame:
                OnFrame(ev.Frame);
                break;
        }
    }

    public Mp4RemuxPlan Build(Mp4LayoutOptions? options)
    {
        var tracks = _tracks.Where(t => t.Frames.Count > 0).ToList();
        if (tracks.Count == 0)
        {
            ThrowHelper.Throw(MediaFormatError.UnsupportedCodec, "no H.264 or AAC frames to put in an MP4");
        }

        var samples = new Mp4Sample[tracks.Count][];
        var firstTimes = new long[tracks.Count];
        for (var t = 0; t < tracks.Count; t++)
        {
            samples[t] = tracks[t].Track.Kind == Mp4TrackKind.Video ? tracks[t].BuildVideoSamples(out firstTimes[t]) : tracks[t].BuildAudioSamples(_timestampScale, out firstTimes[t]);
        }

        var origin = Enumerable.Range(0, tracks.Count).Min(t => (double)firstTimes[t] / tracks[t].Track.Timescale);
        var mp4Tracks = new Mp4Track[tracks.Count];
        for (var t = 0; t < tracks.Count; t++)
        {
            var delay = (long)Math.Round((((double)firstTimes[t] / tracks[t].Track.Timescale) - origin) * 1000);
            mp4Tracks[t] = tracks[t].Track.ToMp4Track(delay);
        }

        var layout = Mp4FileLayout.Create(mp4Tracks, samples.Select(s => (ReadOnlyMemory<Mp4Sample>)s).ToArray(), options);
        return new Mp4RemuxPlan(
            layout,
            tracks.Select(t => t.Track).ToArray(),
            samples,
            tracks.Select(t => t.Offsets()).ToArray(),
            _tracks.Sum(t => t.Dropped));
    }

    private void OnTracks(IReadOnlyList<MatroskaTrack> tracks)
    {
        if (_tracks.Count > 0)
        {
            foreach (var t in _tracks)
            {
                var again = tracks.FirstOrDefault(x => x.Number == t.Number);
                if (again is not null)
                {
                    t.Track.ObserveCodecPrivate(again.CodecPrivate);
                }
            }

            return;
        }

        var video = tracks.FirstOrDefault(t => t.IsH264);
        var audio = tracks.FirstOrDefault(t => t.IsAac);
        if (video is null && audio is null)
        {
            ThrowHelper.Throw(MediaFormatError.UnsupportedCodec, "no H.264 or AAC track to put in an MP4");
        }

        if (video is not null)
        {
            _tracks.Add(new TrackFrames(RemuxTrack.TryCreate(video, 1)!));
        }

        if (audio is not null)
        {
            _tracks.Add(new TrackFrames(RemuxTrack.TryCreate(audio, (uint)_tracks.Count + 1)!));
        }
    }

    private void OnFrame(in MatroskaFrame frame)
    {
        foreach (var t in _tracks)
        {
            if (t.Number == frame.TrackNumber)
            {
                var pts = _clusterBase is { } baseMs
                    ? MediaTime.ToTimescale(frame.Timestamp - _clusterTimestamp, _timestampScale, t.Track.Timescale)
                        + MediaTime.ToTimescale(baseMs, 1_000_000, t.Track.Timescale)
                    : MediaTime.ToTimescale(frame.Timestamp, _timestampScale, t.Track.Timescale);
                t.Add(frame, pts);
                return;
            }
        }
    }
}
