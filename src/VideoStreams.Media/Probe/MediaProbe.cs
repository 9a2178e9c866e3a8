using VideoStreams.Media.Matroska;

namespace VideoStreams.Media.Probe;

/// <summary>What a Matroska file holds: its tracks, their codecs, durations and keyframes.</summary>
public sealed record MediaProbeResult
{
    /// <summary>"matroska" or "webm".</summary>
    public required string DocType { get; init; }

    /// <summary>Application that muxed the file, when it says.</summary>
    public string? MuxingApp { get; init; }

    /// <summary>Bytes read.</summary>
    public long Size { get; init; }

    /// <summary>Number of clusters (fragments).</summary>
    public int Clusters { get; init; }

    /// <summary>From the earliest frame of any track to the end of the latest, in seconds.</summary>
    public double DurationSeconds { get; init; }

    /// <summary>The tracks, in declaration order.</summary>
    public required IReadOnlyList<ProbedTrack> Tracks { get; init; }
}

/// <summary>One track of a probed file.</summary>
public sealed record ProbedTrack
{
    /// <summary>Matroska track number.</summary>
    public ulong Number { get; init; }

    /// <summary>"video", "audio", …</summary>
    public required string Type { get; init; }

    /// <summary>Matroska codec id.</summary>
    public required string CodecId { get; init; }

    /// <summary>RFC 6381 codec string (e.g. <c>avc1.64001f</c>) for H.264 and AAC; null for other codecs.</summary>
    public string? Codec { get; init; }

    /// <summary>Video: width in pixels, from the SPS (after cropping) when H.264.</summary>
    public int Width { get; init; }

    /// <summary>Video: height in pixels.</summary>
    public int Height { get; init; }

    /// <summary>Audio: sample rate in Hz.</summary>
    public int SampleRate { get; init; }

    /// <summary>Audio: channels.</summary>
    public int Channels { get; init; }

    /// <summary>Frames in the file.</summary>
    public int Frames { get; init; }

    /// <summary>Bytes of frame data.</summary>
    public long Bytes { get; init; }

    /// <summary>Presentation time of the earliest frame, in seconds.</summary>
    public double StartSeconds { get; init; }

    /// <summary>From the earliest frame to the end of the latest, in seconds.</summary>
    public double DurationSeconds { get; init; }

    /// <summary>Video: average frames per second.</summary>
    public double FrameRate { get; init; }

    /// <summary>Average bit rate in bits per second.</summary>
    public long BitRate { get; init; }

    /// <summary>Video: each keyframe's presentation time and byte offset.</summary>
    public IReadOnlyList<ProbedKeyframe> Keyframes { get; init; } = [];

    /// <summary>Video: the codec configurations in force, in order (more than one after a mid-stream SPS change).</summary>
    public IReadOnlyList<ProbedConfiguration> Configurations { get; init; } = [];
}

/// <summary>A keyframe: where it is in time and in the file.</summary>
public readonly record struct ProbedKeyframe(double TimeSeconds, long Offset);

/// <summary>A video configuration and when it took effect.</summary>
public readonly record struct ProbedConfiguration(double FromSeconds, string Codec, int Width, int Height);

/// <summary>Reads a whole Matroska file and summarises it.</summary>
public static class MediaProbe
{
    /// <summary>Probes a Matroska stream to its end.</summary>
    /// <exception cref="MediaFormatException">The input is malformed or truncated.</exception>
    public static async Task<MediaProbeResult> ProbeAsync(Stream input, CancellationToken cancellationToken = default)
    {
        var state = new ProbeState();
        var reader = new MatroskaReader();
        await reader.ReadAsync(input, state.Handle, cancellationToken).ConfigureAwait(false);
        return state.Result(reader.Position);
    }

    /// <summary>Probes a Matroska file held in memory.</summary>
    /// <exception cref="MediaFormatException">The input is malformed or truncated.</exception>
    public static MediaProbeResult Probe(ReadOnlyMemory<byte> input)
    {
        var state = new ProbeState();
        var reader = new MatroskaReader();
        reader.ReadAll(input, state.Handle);
        return state.Result(reader.Position);
    }
}
