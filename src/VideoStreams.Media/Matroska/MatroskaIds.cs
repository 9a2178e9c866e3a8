namespace VideoStreams.Media.Matroska;

/// <summary>EBML and Matroska element ids (RFC 8794, RFC 9559), with their marker bits, as they appear on the wire.</summary>
internal static class MatroskaIds
{
    // EBML header
    public const uint Ebml = 0x1A45DFA3;
    public const uint EbmlVersion = 0x4286;
    public const uint EbmlReadVersion = 0x42F7;
    public const uint EbmlMaxIdLength = 0x42F2;
    public const uint EbmlMaxSizeLength = 0x42F3;
    public const uint DocType = 0x4282;
    public const uint DocTypeVersion = 0x4287;
    public const uint DocTypeReadVersion = 0x4285;

    // Global elements, allowed anywhere
    public const uint Void = 0xEC;
    public const uint Crc32 = 0xBF;

    // Segment and its top-level children
    public const uint Segment = 0x18538067;
    public const uint SeekHead = 0x114D9B74;
    public const uint Info = 0x1549A966;
    public const uint Tracks = 0x1654AE6B;
    public const uint Cluster = 0x1F43B675;
    public const uint Cues = 0x1C53BB6B;
    public const uint Chapters = 0x1043A770;
    public const uint Attachments = 0x1941A469;
    public const uint Tags = 0x1254C367;

    // Info
    public const uint TimestampScale = 0x2AD7B1;
    public const uint Duration = 0x4489;
    public const uint MuxingApp = 0x4D80;
    public const uint WritingApp = 0x5741;
    public const uint Title = 0x7BA9;
    public const uint SegmentUid = 0x73A4;
    public const uint DateUtc = 0x4461;

    // Tracks
    public const uint TrackEntry = 0xAE;
    public const uint TrackNumber = 0xD7;
    public const uint TrackUid = 0x73C5;
    public const uint TrackType = 0x83;
    public const uint FlagEnabled = 0xB9;
    public const uint FlagDefault = 0x88;
    public const uint FlagLacing = 0x9C;
    public const uint DefaultDuration = 0x23E383;
    public const uint Name = 0x536E;
    public const uint Language = 0x22B59C;
    public const uint CodecId = 0x86;
    public const uint CodecPrivate = 0x63A2;
    public const uint CodecName = 0x258688;
    public const uint CodecDelay = 0x56AA;
    public const uint SeekPreRoll = 0x56BB;
    public const uint Video = 0xE0;
    public const uint PixelWidth = 0xB0;
    public const uint PixelHeight = 0xBA;
    public const uint DisplayWidth = 0x54B0;
    public const uint DisplayHeight = 0x54BA;
    public const uint Audio = 0xE1;
    public const uint SamplingFrequency = 0xB5;
    public const uint OutputSamplingFrequency = 0x78B5;
    public const uint Channels = 0x9F;
    public const uint BitDepth = 0x6264;

    // Cluster
    public const uint Timestamp = 0xE7;
    public const uint Position = 0xA7;
    public const uint PrevSize = 0xAB;
    public const uint SimpleBlock = 0xA3;
    public const uint BlockGroup = 0xA0;
    public const uint Block = 0xA1;
    public const uint BlockDuration = 0x9B;
    public const uint ReferenceBlock = 0xFB;
    public const uint DiscardPadding = 0x75A2;
    public const uint BlockAdditions = 0x75A1;

    // Tags
    public const uint Tag = 0x7373;
    public const uint Targets = 0x63C0;
    public const uint TargetTypeValue = 0x68CA;
    public const uint TargetType = 0x63CA;
    public const uint TagTrackUid = 0x63C5;
    public const uint SimpleTag = 0x67C8;
    public const uint TagName = 0x45A3;
    public const uint TagLanguage = 0x447A;
    public const uint TagDefault = 0x4484;
    public const uint TagString = 0x4487;
    public const uint TagBinary = 0x4485;
}
