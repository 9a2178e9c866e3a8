namespace VideoStreams.Media.Aac;

/// <summary>
/// An MPEG-4 AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1) for AAC: the bytes of MP4's <c>esds</c> decoder-specific
/// info and Matroska's CodecPrivate for <c>A_AAC</c>. Immutable. Parse one with <see cref="Parse"/>, build one with
/// <see cref="Create"/>.
/// </summary>
public sealed partial class AudioSpecificConfig
{
    private readonly byte[] _bytes;

    private AudioSpecificConfig(byte[] bytes) => _bytes = bytes;

    /// <summary>
    /// The <c>audioObjectType</c> as first signalled: 2 for AAC-LC, 5 for HE-AAC (SBR) and 29 for HE-AAC v2 (PS) when
    /// they are signalled explicitly. With backward-compatible signalling (2 plus an SBR sync extension) this stays 2.
    /// </summary>
    public int ObjectType { get; private set; }

    /// <summary>The object type of the core coder: equal to <see cref="ObjectType"/> except under explicit SBR/PS signalling.</summary>
    public int CoreObjectType { get; private set; }

    /// <summary><c>samplingFrequencyIndex</c> (0–12), or 15 when the frequency is given explicitly.</summary>
    public int SamplingFrequencyIndex { get; private set; }

    /// <summary>Sample rate of the core coder in Hz.</summary>
    public int SampleRate { get; private set; }

    /// <summary><c>channelConfiguration</c> (0 = described by a program config element).</summary>
    public int ChannelConfiguration { get; private set; }

    /// <summary>
    /// Channels of the core coder: from the channel configuration, or counted from the program config element. 0 when
    /// the configuration is 0 and the object type is not one whose specific config this class reads (not AAC).
    /// </summary>
    public int ChannelCount { get; private set; }

    /// <summary>
    /// Core samples per frame per channel: 1024, or 960 when <c>frameLengthFlag</c> is set. 1024 for object types
    /// without a GASpecificConfig. SBR doubles the samples each frame puts out (see <see cref="OutputSampleRate"/>).
    /// </summary>
    public int FrameLength { get; private set; } = 1024;

    /// <summary>True when spectral band replication is signalled (HE-AAC), explicitly or by a sync extension.</summary>
    public bool SbrPresent { get; private set; }

    /// <summary>True when parametric stereo is signalled (HE-AAC v2).</summary>
    public bool PsPresent { get; private set; }

    /// <summary>Sample rate the decoder puts out: the SBR extension rate when SBR is signalled, else <see cref="SampleRate"/>.</summary>
    public int OutputSampleRate { get; private set; }

    /// <summary>The RFC 6381 codecs parameter, <c>mp4a.40.</c> and <see cref="ObjectType"/> in decimal (e.g. <c>mp4a.40.2</c>).</summary>
    public string CodecString => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"mp4a.40.{ObjectType}");

    /// <summary>The config's bytes, as parsed or built.</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes;

    /// <summary>The config's bytes as a new array.</summary>
    public byte[] ToArray() => (byte[])_bytes.Clone();

    /// <inheritdoc/>
    public override string ToString() => $"{CodecString} {OutputSampleRate} Hz {ChannelCount} ch";

    /// <summary>Sample rates by <c>samplingFrequencyIndex</c> (Table 1.18); 13 and 14 are reserved.</summary>
    internal static ReadOnlySpan<int> SampleRates =>
        [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

    /// <summary>
    /// Channels by <c>channelConfiguration</c> (Table 1.19, extended by ISO/IEC 23001-8 for 11–14); 0 means a
    /// program config element decides, -1 is reserved.
    /// </summary>
    private static ReadOnlySpan<sbyte> ChannelCounts => [0, 1, 2, 3, 4, 5, 6, 8, -1, -1, -1, 7, 8, 24, 8, -1];

    /// <summary>Object types whose specific config is a GASpecificConfig (1.6.2.1).</summary>
    private static bool IsGeneralAudio(int objectType) =>
        objectType is 1 or 2 or 3 or 4 or 6 or 7 or 17 or 19 or 20 or 21 or 22 or 23;
}
