namespace VideoStreams.Media.H264;

/// <summary>
/// An AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1): the H.264 decoder configuration stored as MP4's
/// <c>avcC</c> box payload and Matroska's CodecPrivate for <c>V_MPEG4/ISO/AVC</c>. Immutable.
/// </summary>
public sealed partial class AvcDecoderConfigurationRecord
{
    private AvcDecoderConfigurationRecord(
        byte profileIndication,
        byte profileCompatibility,
        byte levelIndication,
        int nalLengthSize,
        ReadOnlyMemory<byte>[] sequenceParameterSets,
        ReadOnlyMemory<byte>[] pictureParameterSets)
    {
        ProfileIndication = profileIndication;
        ProfileCompatibility = profileCompatibility;
        LevelIndication = levelIndication;
        NalLengthSize = nalLengthSize;
        SequenceParameterSets = sequenceParameterSets;
        PictureParameterSets = pictureParameterSets;
    }

    /// <summary><c>AVCProfileIndication</c>: the SPS's <c>profile_idc</c>.</summary>
    public byte ProfileIndication { get; }

    /// <summary><c>profile_compatibility</c>: the SPS's constraint flags byte.</summary>
    public byte ProfileCompatibility { get; }

    /// <summary><c>AVCLevelIndication</c>: the SPS's <c>level_idc</c>.</summary>
    public byte LevelIndication { get; }

    /// <summary>Bytes in each sample's NAL unit length prefix: 1, 2 or 4.</summary>
    public int NalLengthSize { get; }

    /// <summary>The SPS NAL units (header byte included, emulation-prevention bytes kept), in record order.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> SequenceParameterSets { get; }

    /// <summary>The PPS NAL units (header byte included, emulation-prevention bytes kept), in record order.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> PictureParameterSets { get; }

    /// <summary>
    /// True when the record carries the extension for High profiles (chroma format, bit depths, SPS extensions).
    /// Many encoders omit it, so its absence is not an error.
    /// </summary>
    public bool HasExtension { get; private init; }

    /// <summary><c>chroma_format</c> from the extension (1 = 4:2:0 when absent).</summary>
    public int ChromaFormat { get; private init; } = 1;

    /// <summary>Luma bit depth from the extension (8 when absent).</summary>
    public int BitDepthLuma { get; private init; } = 8;

    /// <summary>Chroma bit depth from the extension (8 when absent).</summary>
    public int BitDepthChroma { get; private init; } = 8;

    /// <summary>SPS extension NAL units from the extension (usually none).</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> SequenceParameterSetExtensions { get; private init; } = [];

    /// <summary>The RFC 6381 codecs parameter, <c>avc1.PPCCLL</c> in lower-case hex.</summary>
    public string CodecString => SequenceParameterSet.FormatCodecString(ProfileIndication, ProfileCompatibility, LevelIndication);

    /// <summary>Parses the first SPS of the record.</summary>
    /// <exception cref="MediaFormatException">
    /// <see cref="MediaFormatError.InvalidAvcConfig"/> when the record has no SPS; <see cref="MediaFormatError.InvalidSps"/>
    /// when it does not parse.
    /// </exception>
    public SequenceParameterSet ParseSequenceParameterSet() =>
        SequenceParameterSets.Count == 0
            ? ThrowHelper.Throw<SequenceParameterSet>(MediaFormatError.InvalidAvcConfig, "avcC holds no SPS")
            : SequenceParameterSet.Parse(SequenceParameterSets[0].Span);

    /// <summary>
    /// True when <paramref name="sps"/> is one of this record's SPS and <paramref name="pps"/> (unless empty) one of its
    /// PPS, byte for byte. In-band parameter sets that are not contained signal a new configuration, for example a
    /// mid-stream resolution change (see <see cref="H264Nal.TryFindParameterSets"/>).
    /// </summary>
    public bool ContainsParameterSets(ReadOnlySpan<byte> sps, ReadOnlySpan<byte> pps) =>
        Contains(SequenceParameterSets, sps) && (pps.IsEmpty || Contains(PictureParameterSets, pps));

    /// <summary>Bytes <see cref="WriteAnnexBParameterSets"/> writes: every SPS and PPS behind a four-byte start code.</summary>
    public int AnnexBParameterSetsSize
    {
        get
        {
            var size = 0;
            foreach (var nal in SequenceParameterSets)
            {
                size += H264Nal.LongStartCode.Length + nal.Length;
            }

            foreach (var nal in PictureParameterSets)
            {
                size += H264Nal.LongStartCode.Length + nal.Length;
            }

            return size;
        }
    }

    /// <summary>
    /// Writes every SPS then every PPS as Annex B (four-byte start codes), as a decoder fed a raw H.264 stream needs
    /// before the first IDR.
    /// </summary>
    /// <returns>Bytes written (<see cref="AnnexBParameterSetsSize"/>).</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public int WriteAnnexBParameterSets(Span<byte> destination)
    {
        if (destination.Length < AnnexBParameterSetsSize)
        {
            throw new ArgumentException("destination is too short; size it with AnnexBParameterSetsSize", nameof(destination));
        }

        var written = WriteAnnexB(SequenceParameterSets, destination);
        written += WriteAnnexB(PictureParameterSets, destination[written..]);
        return written;
    }

    /// <summary>Whether the record written for this profile carries the High-profile extension.</summary>
    /// <remarks>
    /// ISO/IEC 14496-15 names profiles 100, 110, 122 and 144; FFmpeg writes (and expects) the extension for every
    /// profile but Baseline, Main and Extended — 244 (High 4:4:4 Predictive) included — and we match it so that its
    /// records round-trip.
    /// </remarks>
    internal static bool ProfileHasExtension(int profile) => profile is not (66 or 77 or 88);

    private static int WriteAnnexB(IReadOnlyList<ReadOnlyMemory<byte>> nals, Span<byte> destination)
    {
        var written = 0;
        foreach (var nal in nals)
        {
            H264Nal.LongStartCode.CopyTo(destination[written..]);
            nal.Span.CopyTo(destination[(written + H264Nal.LongStartCode.Length)..]);
            written += H264Nal.LongStartCode.Length + nal.Length;
        }

        return written;
    }

    private static bool Contains(IReadOnlyList<ReadOnlyMemory<byte>> list, ReadOnlySpan<byte> nal)
    {
        foreach (var item in list)
        {
            if (item.Span.SequenceEqual(nal))
            {
                return true;
            }
        }

        return false;
    }
}
