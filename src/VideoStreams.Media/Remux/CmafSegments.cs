namespace VideoStreams.Media.Remux;

/// <summary>Options for <see cref="CmafSegmenter"/>.</summary>
public sealed record CmafSegmenterOptions
{
    /// <summary>A segment ends at the first video keyframe at or after this much media. Default 2 s.</summary>
    public TimeSpan TargetSegmentDuration { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How far video may run past a cut while the segmenter waits for audio to reach it (interleaving puts audio a
    /// little behind). After that the segment goes out and late audio joins the next one. Default 1 s.
    /// </summary>
    public TimeSpan MaxAudioWait { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Added to every frame's Matroska timestamp (in the input's TimestampScale ticks) before packaging, so the output
    /// can sit on another timeline than the input's, e.g. each stored fragment rebased to its own start time so the
    /// decode times of separately packaged fragments line up. Default 0 (times kept as the input has them).
    /// </summary>
    public long TimestampOffset { get; init; }

    /// <summary>The mfhd sequence number of the first media segment; each later segment adds one. Default 1.</summary>
    public uint FirstSequenceNumber { get; init; } = 1;

    /// <summary>
    /// When set, media is also cut into chunks (moof + mdat, each delivered as a <see cref="CmafMediaSegment"/>) of about
    /// this much at any frame boundary, not only at keyframes: the parts of low-latency HLS. A chunk that does not start
    /// with a keyframe has <see cref="CmafMediaSegment.StartsWithKeyframe"/> false. A frame's duration is known only when
    /// the next frame arrives, so a chunk goes out when the first frame after its end is added (or on
    /// <see cref="CmafSegmenter.Flush"/>). With B-frames a chunk is cut only where no pending frame is presented after the
    /// new one. Chunks of one run concatenated are a valid fragmented MP4 with the same samples as without this option.
    /// Default null (segments only).
    /// </summary>
    public TimeSpan? PartTargetDuration { get; init; }
}

/// <summary>An fMP4 initialization segment (EXT-X-MAP). A new one follows every change of codec configuration.</summary>
/// <param name="Index">0 for the first, then 1, 2, … at each configuration change.</param>
/// <param name="Bytes">The segment; valid only during the callback.</param>
/// <param name="Codecs">RFC 6381 codecs of all tracks, comma-separated (the HLS CODECS attribute).</param>
/// <param name="Width">Video width in pixels (0 without video).</param>
/// <param name="Height">Video height in pixels (0 without video).</param>
public readonly record struct CmafInitSegment(int Index, ReadOnlyMemory<byte> Bytes, string Codecs, int Width, int Height);

/// <summary>One fMP4 media segment (moof + mdat) holding every track's samples for its time span.</summary>
/// <param name="SequenceNumber">1-based fragment sequence number (mfhd).</param>
/// <param name="InitIndex">The init segment this one needs.</param>
/// <param name="Discontinuity">True for the first segment after a configuration change (EXT-X-DISCONTINUITY).</param>
/// <param name="StartSeconds">Decode time of its first video sample (first audio sample without video), in seconds.</param>
/// <param name="DurationSeconds">Its duration, in seconds.</param>
/// <param name="StartsWithKeyframe">True when the first video sample is a keyframe (always, except for audio-only).</param>
/// <param name="Bytes">The segment; valid only during the callback.</param>
public readonly record struct CmafMediaSegment(
    uint SequenceNumber,
    int InitIndex,
    bool Discontinuity,
    double StartSeconds,
    double DurationSeconds,
    bool StartsWithKeyframe,
    ReadOnlyMemory<byte> Bytes);

/// <summary>Receives what a <see cref="CmafSegmenter"/> produces.</summary>
public interface ICmafSegmentSink
{
    /// <summary>An init segment, delivered before the first media segment that needs it.</summary>
    void OnInitSegment(in CmafInitSegment init);

    /// <summary>A media segment.</summary>
    void OnMediaSegment(in CmafMediaSegment segment);
}
