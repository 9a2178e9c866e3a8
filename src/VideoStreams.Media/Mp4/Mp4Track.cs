namespace VideoStreams.Media.Mp4;

/// <summary>Kind of an MP4 track; decides the handler (vide/soun) and media header box.</summary>
public enum Mp4TrackKind
{
    /// <summary>A video track (handler <c>vide</c>).</summary>
    Video,
    /// <summary>An audio track (handler <c>soun</c>).</summary>
    Audio,
}

/// <summary>One entry of a track's sample description table (<c>stsd</c>).</summary>
public abstract class Mp4SampleDescription
{
    private protected Mp4SampleDescription()
    {
    }
}

/// <summary>H.264 video: an <c>avc1</c> sample entry carrying its <c>avcC</c> record.</summary>
public sealed class AvcSampleDescription : Mp4SampleDescription
{
    /// <summary>Creates an <c>avc1</c> entry.</summary>
    /// <param name="width">Displayed width in pixels (after SPS cropping).</param>
    /// <param name="height">Displayed height in pixels (after SPS cropping).</param>
    /// <param name="avcDecoderConfigurationRecord">The <c>avcC</c> payload, as stored in Matroska's CodecPrivate.</param>
    public AvcSampleDescription(int width, int height, ReadOnlyMemory<byte> avcDecoderConfigurationRecord)
    {
        Width = width;
        Height = height;
        AvcDecoderConfigurationRecord = avcDecoderConfigurationRecord;
    }

    /// <summary>Displayed width in pixels.</summary>
    public int Width { get; }

    /// <summary>Displayed height in pixels.</summary>
    public int Height { get; }

    /// <summary>The AVCDecoderConfigurationRecord (ISO/IEC 14496-15), written as the <c>avcC</c> box payload.</summary>
    public ReadOnlyMemory<byte> AvcDecoderConfigurationRecord { get; }
}

/// <summary>AAC audio: an <c>mp4a</c> sample entry with an <c>esds</c> carrying the AudioSpecificConfig.</summary>
public sealed class AacSampleDescription : Mp4SampleDescription
{
    /// <summary>Creates an <c>mp4a</c> entry.</summary>
    public AacSampleDescription(int sampleRate, int channelCount, ReadOnlyMemory<byte> audioSpecificConfig)
    {
        SampleRate = sampleRate;
        ChannelCount = channelCount;
        AudioSpecificConfig = audioSpecificConfig;
    }

    /// <summary>Output sample rate in Hz.</summary>
    public int SampleRate { get; }

    /// <summary>Channel count.</summary>
    public int ChannelCount { get; }

    /// <summary>The AudioSpecificConfig (ISO/IEC 14496-3), as stored in Matroska's CodecPrivate.</summary>
    public ReadOnlyMemory<byte> AudioSpecificConfig { get; }
}

/// <summary>What an MP4 writer needs to know about one track.</summary>
public sealed class Mp4Track
{
    /// <summary>Track id in the file (1-based, unique).</summary>
    public required uint TrackId { get; init; }

    /// <summary>Video or audio.</summary>
    public required Mp4TrackKind Kind { get; init; }

    /// <summary>Ticks per second of this track's sample times (90 000 for video, the sample rate for audio).</summary>
    public required uint Timescale { get; init; }

    /// <summary>
    /// Sample descriptions in <c>stsd</c> order. An fMP4 init segment holds exactly one; a progressive MP4
    /// holds one per distinct codec configuration (a mid-stream SPS change adds a second).
    /// </summary>
    public required IReadOnlyList<Mp4SampleDescription> SampleDescriptions { get; init; }

    /// <summary>ISO 639-2/T language code (three lower-case letters).</summary>
    public string Language { get; init; } = "und";

    /// <summary>
    /// Progressive MP4 only: how long, in movie time (milliseconds), the track waits before its first sample is
    /// presented. Written as an empty edit, so a track that starts later than the others keeps its timing.
    /// </summary>
    public long PresentationDelayMilliseconds { get; init; }

    /// <summary>
    /// fMP4 only: how many ticks (of <see cref="Timescale"/>) the samples' composition times run late. A writer that
    /// keeps composition offsets non-negative for B-frames shifts compositions by the reorder delay; the init segment
    /// then carries an edit list (media_time = this) that takes the shift back out, so players present at the source
    /// times. Zero: no edit list.
    /// </summary>
    public long CompositionDelay { get; init; }
}

/// <summary>Timing and size of one sample (an access unit), in its track's timescale.</summary>
/// <param name="DecodeTime">Decode timestamp (DTS).</param>
/// <param name="Duration">Decode duration until the next sample.</param>
/// <param name="CompositionOffset">PTS − DTS; negative for frames presented before they are decoded (B-frames).</param>
/// <param name="Size">Size of the sample's data in bytes.</param>
/// <param name="IsSync">True for sync samples (IDR pictures; every AAC frame).</param>
/// <param name="DescriptionIndex">Zero-based index into <see cref="Mp4Track.SampleDescriptions"/>.</param>
public readonly record struct Mp4Sample(
    long DecodeTime,
    uint Duration,
    int CompositionOffset,
    int Size,
    bool IsSync,
    int DescriptionIndex = 0);
