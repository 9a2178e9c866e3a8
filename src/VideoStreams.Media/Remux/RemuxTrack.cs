using System.Buffers;
using VideoStreams.Media.Aac;
using VideoStreams.Media.H264;
using VideoStreams.Media.Matroska;
using VideoStreams.Media.Mp4;

namespace VideoStreams.Media.Remux;

/// <summary>
/// A Matroska track as MP4 sees it: id, timescale and sample descriptions. Video descriptions grow when a keyframe
/// carries parameter sets that differ from the current ones (a mid-stream resolution change).
/// </summary>
public sealed class RemuxTrack
{
    // An SPS is tens of bytes; anything near this is not a parameter set we could use.
    private const int MaxParameterSetSize = 1024;

    private readonly List<Mp4SampleDescription> _descriptions = [];
    private readonly List<string> _codecStrings = [];
    private readonly List<int?> _reorderFrames = [];
    private AvcDecoderConfigurationRecord? _avc;

    private RemuxTrack(MatroskaTrack source, uint trackId, Mp4TrackKind kind, uint timescale)
    {
        Source = source;
        TrackId = trackId;
        Kind = kind;
        Timescale = timescale;
    }

    /// <summary>The Matroska track this maps.</summary>
    public MatroskaTrack Source { get; }

    /// <summary>MP4 track id.</summary>
    public uint TrackId { get; }

    /// <summary>Video or audio.</summary>
    public Mp4TrackKind Kind { get; }

    /// <summary>Track timescale: 90 kHz for video, the sample rate for audio.</summary>
    public uint Timescale { get; }

    /// <summary>Video: bytes of each NAL unit length prefix.</summary>
    public int NalLengthSize { get; private init; } = 4;

    /// <summary>Audio: PCM samples per AAC frame (1024, or 960), i.e. each frame's duration in <see cref="Timescale"/> units.</summary>
    public int SamplesPerFrame { get; private init; }

    /// <summary>Index of the description in force for the frames now arriving.</summary>
    public int CurrentDescription { get; private set; }

    /// <summary>Every description seen so far, in order of appearance.</summary>
    public IReadOnlyList<Mp4SampleDescription> Descriptions => _descriptions;

    /// <summary>RFC 6381 codec string of each description (e.g. <c>avc1.64001f</c>, <c>mp4a.40.2</c>).</summary>
    public IReadOnlyList<string> CodecStrings => _codecStrings;

    /// <summary>
    /// Video: how many frames may come before a frame in decode order yet after it in presentation order, as the SPS
    /// says (VUI bitstream restriction; 0 for Baseline), or null when it does not say.
    /// </summary>
    public int? ReorderFrames(int description) => Kind == Mp4TrackKind.Video ? _reorderFrames[description] : 0;

    /// <summary>
    /// Maps a Matroska track, or returns null when it is not H.264 or AAC (other tracks are left out of MP4 output).
    /// </summary>
    /// <exception cref="MediaFormatException">An H.264 or AAC track whose CodecPrivate is missing or malformed.</exception>
    public static RemuxTrack? TryCreate(MatroskaTrack source, uint trackId)
    {
        if (source.IsH264)
        {
            if (source.CodecPrivate.IsEmpty)
            {
                ThrowHelper.Throw(MediaFormatError.InvalidAvcConfig, $"H.264 track {source.Number} has no CodecPrivate (avcC)");
            }

            var avc = AvcDecoderConfigurationRecord.Parse(source.CodecPrivate.Span);
            var track = new RemuxTrack(source, trackId, Mp4TrackKind.Video, MediaTime.VideoTimescale) { NalLengthSize = avc.NalLengthSize };
            track.AddVideoDescription(avc, source.CodecPrivate);
            return track;
        }

        if (source.IsAac)
        {
            if (source.CodecPrivate.IsEmpty)
            {
                ThrowHelper.Throw(MediaFormatError.InvalidAudioConfig, $"AAC track {source.Number} has no CodecPrivate (AudioSpecificConfig)");
            }

            var asc = AudioSpecificConfig.Parse(source.CodecPrivate.Span);
            var track = new RemuxTrack(source, trackId, Mp4TrackKind.Audio, (uint)asc.SampleRate) { SamplesPerFrame = asc.FrameLength };
            track._descriptions.Add(new AacSampleDescription(asc.SampleRate, asc.ChannelCount, source.CodecPrivate));
            track._codecStrings.Add(asc.CodecString);
            return track;
        }

        return null;
    }

    /// <summary>
    /// Looks at a video keyframe for in-band SPS/PPS. Returns true when they differ from the current description, in
    /// which case a new description now applies (<see cref="CurrentDescription"/> moved on).
    /// </summary>
    public bool ObserveKeyframe(in ReadOnlySequence<byte> accessUnit)
    {
        if (Kind != Mp4TrackKind.Video)
        {
            return false;
        }

        // Parameter sets come before the first slice: walk the length prefixes up to it, copying only SPS/PPS.
        Span<byte> sps = stackalloc byte[MaxParameterSetSize];
        Span<byte> pps = stackalloc byte[MaxParameterSetSize];
        int spsLength = 0, ppsLength = 0;
        var reader = new SequenceReader<byte>(accessUnit);
        Span<byte> prefix = stackalloc byte[5];
        while (reader.Remaining > NalLengthSize && reader.TryCopyTo(prefix[..(NalLengthSize + 1)]))
        {
            var length = 0L;
            for (var i = 0; i < NalLengthSize; i++)
            {
                length = (length << 8) | prefix[i];
            }

            var type = (NalUnitType)(prefix[NalLengthSize] & 0x1F);
            if (length == 0 || length > reader.Remaining - NalLengthSize || type is >= NalUnitType.Slice and <= NalUnitType.Idr)
            {
                break;
            }

            reader.Advance(NalLengthSize);
            var nal = reader.UnreadSequence.Slice(0, length);
            if (type == NalUnitType.Sps && spsLength == 0 && length <= MaxParameterSetSize)
            {
                nal.CopyTo(sps);
                spsLength = (int)length;
            }
            else if (type == NalUnitType.Pps && ppsLength == 0 && length <= MaxParameterSetSize)
            {
                nal.CopyTo(pps);
                ppsLength = (int)length;
            }

            reader.Advance(length);
        }

        if (spsLength == 0 || ppsLength == 0 || _avc!.ContainsParameterSets(sps[..spsLength], pps[..ppsLength]))
        {
            return false;
        }

        var avc = AvcDecoderConfigurationRecord.Create(sps[..spsLength], pps[..ppsLength], NalLengthSize);
        AddVideoDescription(avc, avc.ToArray());
        return true;
    }

    /// <summary>
    /// Looks at the track's CodecPrivate in a later Tracks element (a stream of several documents). Returns true when it
    /// differs from the current video description, which it then replaces.
    /// </summary>
    public bool ObserveCodecPrivate(ReadOnlyMemory<byte> codecPrivate)
    {
        if (Kind != Mp4TrackKind.Video || codecPrivate.IsEmpty
            || codecPrivate.Span.SequenceEqual(((AvcSampleDescription)_descriptions[CurrentDescription]).AvcDecoderConfigurationRecord.Span))
        {
            return false;
        }

        AddVideoDescription(AvcDecoderConfigurationRecord.Parse(codecPrivate.Span), codecPrivate.ToArray());
        return true;
    }

    /// <summary>An MP4 track with every description seen (progressive MP4).</summary>
    public Mp4Track ToMp4Track(long presentationDelayMilliseconds = 0) => new()
    {
        TrackId = TrackId,
        Kind = Kind,
        Timescale = Timescale,
        SampleDescriptions = [.. _descriptions],
        Language = Iso639(Source.Language),
        PresentationDelayMilliseconds = presentationDelayMilliseconds,
    };

    /// <summary>An MP4 track holding only description <paramref name="index"/> (an fMP4 init segment).</summary>
    public Mp4Track ToMp4Track(int index, long compositionDelay = 0) => new()
    {
        CompositionDelay = compositionDelay,
        TrackId = TrackId,
        Kind = Kind,
        Timescale = Timescale,
        SampleDescriptions = [_descriptions[index]],
        Language = Iso639(Source.Language),
    };

    private void AddVideoDescription(AvcDecoderConfigurationRecord avc, ReadOnlyMemory<byte> record)
    {
        var sps = avc.ParseSequenceParameterSet();
        _avc = avc;
        _descriptions.Add(new AvcSampleDescription(sps.Width, sps.Height, record));
        _codecStrings.Add(sps.CodecString);
        _reorderFrames.Add(sps.MaxNumReorderFrames ?? (sps.ProfileIdc == 66 ? 0 : null));
        CurrentDescription = _descriptions.Count - 1;
    }

    // MP4 packs ISO 639-2/T codes as three lower-case letters; anything else becomes "und".
    private static string Iso639(string language) =>
        language.Length == 3 && language.All(c => c is >= 'a' and <= 'z') ? language : "und";
}
