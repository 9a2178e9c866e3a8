using VideoStreams.Media.H264;
using VideoStreams.Media.Matroska;

namespace VideoStreams.Producer.Fragmenting;

public sealed partial class Fragmenter
{
    private const string H264CodecId = "V_MPEG4/ISO/AVC";

    private AvcDecoderConfigurationRecord? _configuration;
    private AvcDecoderConfigurationRecord? _pendingConfiguration;
    private byte[]? _header;
    private int _headerVersion;

    /// <summary>
    /// Version of the current stream header: 1 for the first, one more for each codec configuration change. Every
    /// fragment carries the version of the header it needs.
    /// </summary>
    public int HeaderVersion => _headerVersion;

    /// <summary>The current stream header (EBML header, Segment, Info, Tracks), or empty before the first fragment.</summary>
    public ReadOnlyMemory<byte> CurrentHeader => _header;

    private bool HasConfiguration => _configuration is not null || _pendingConfiguration is not null;

    private bool HasPendingConfiguration => _pendingConfiguration is not null;

    /// <summary>
    /// Sets the decoder configuration for AVCC input whose access units carry no SPS/PPS (a Matroska or MP4 track's
    /// avcC). A configuration different from the current one takes effect at the next key frame, which then starts a
    /// new fragment and a new stream header.
    /// </summary>
    /// <param name="avcDecoderConfigurationRecord">The avcC (Matroska CodecPrivate) bytes.</param>
    /// <exception cref="VideoStreams.Media.MediaFormatException">The record does not parse.</exception>
    public void SetDecoderConfiguration(ReadOnlySpan<byte> avcDecoderConfigurationRecord)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var record = AvcDecoderConfigurationRecord.Parse(avcDecoderConfigurationRecord);
        if (record.SequenceParameterSets.Count == 0 || record.PictureParameterSets.Count == 0)
        {
            throw new ArgumentException("The decoder configuration needs an SPS and a PPS.", nameof(avcDecoderConfigurationRecord));
        }

        var sps = record.SequenceParameterSets[0].Span;
        var pps = record.PictureParameterSets[0].Span;
        if (Current()?.ContainsParameterSets(sps, pps) == true)
        {
            return;
        }

        // Frames are written with four-byte lengths whatever the source used.
        _pendingConfiguration = record.NalLengthSize == NalLengthSize
            ? record
            : AvcDecoderConfigurationRecord.Create(record.SequenceParameterSets, record.PictureParameterSets, NalLengthSize);
    }

    private AvcDecoderConfigurationRecord? Current() => _pendingConfiguration ?? _configuration;

    /// <summary>In-band SPS/PPS: the usual case is the same bytes on every key frame, compared without allocating.</summary>
    private void NoteParameterSets(ReadOnlySpan<byte> sps, ReadOnlySpan<byte> pps)
    {
        var current = Current();
        if (current is not null && current.ContainsParameterSets(sps, pps))
        {
            return;
        }

        if (pps.IsEmpty)
        {
            // An SPS alone: pair it with the PPS we have, or wait for one.
            if (current is null)
            {
                return;
            }

            _pendingConfiguration = AvcDecoderConfigurationRecord.Create([sps.ToArray()], current.PictureParameterSets, NalLengthSize);
            return;
        }

        _pendingConfiguration = AvcDecoderConfigurationRecord.Create(sps, pps, NalLengthSize);
    }

    private void ApplyPendingConfiguration()
    {
        var configuration = _pendingConfiguration!;
        _pendingConfiguration = null;
        var sps = configuration.ParseSequenceParameterSet();
        var video = new MatroskaTrack
        {
            Number = VideoTrackNumber,
            Uid = VideoTrackNumber,
            Type = MatroskaTrackType.Video,
            CodecId = H264CodecId,
            CodecPrivate = configuration.ToArray(),
            Name = _options.VideoTrackName,
            PixelWidth = sps.Width,
            PixelHeight = sps.Height,
            DefaultDuration = _options.FrameRate > 0 ? (ulong)Math.Round(1e9 / _options.FrameRate) : 0,
        };
        IReadOnlyList<MatroskaTrack> tracks = _options.EnableDataTrack
            ?
            [
                video,
                new MatroskaTrack
                {
                    Number = DataTrackNumber,
                    Uid = DataTrackNumber,
                    Type = MatroskaTrackType.Metadata,
                    CodecId = _options.DataTrackCodecId,
                    Name = _options.DataTrackName,
                },
            ]
            : [video];

        _writer?.Dispose();
        _writer = new MatroskaWriter(_body);
        _body.Clear();
        _writer.WriteHeader(new MatroskaSegmentInfo { Title = _options.Title }, tracks);
        _header = _body.WrittenSpan.ToArray();
        _body.Clear();
        _configuration = configuration;
        _headerVersion++;
        _metrics.Header();
    }
}
