using System.Text;

namespace VideoStreams.Media.Tests.Mp4;

internal sealed record ParsedDescription(string Format, int Width, int Height, int ChannelCount, int SampleRate, byte[] Config);

internal sealed record ParsedSample(long DecodeTime, uint Duration, int CompositionOffset, int Size, bool IsSync, long FileOffset, int DescriptionIndex)
{
    public long PresentationTime => DecodeTime + CompositionOffset;
}

internal sealed record EditEntry(long SegmentDuration, long MediaTime);

internal sealed record StscEntry(uint FirstChunk, uint SamplesPerChunk, uint DescriptionIndex);

/// <summary>One track of a progressive MP4, with its sample tables expanded to one row per sample.</summary>
internal sealed class ParsedTrack
{
    public uint TrackId { get; set; }
    public string Handler { get; set; } = "";
    public uint Timescale { get; set; }
    public ulong MediaDuration { get; set; }
    public ulong TrackDuration { get; set; }
    public uint TkhdFlags { get; set; }
    public double Width { get; set; }
    public double Height { get; set; }
    public ushort Volume { get; set; }
    public string Language { get; set; } = "";
    public List<ParsedDescription> Descriptions { get; } = [];
    public List<ParsedSample> Samples { get; } = [];
    public List<EditEntry> Edits { get; } = [];
    public List<StscEntry> Stsc { get; } = [];
    public int CttsVersion { get; set; } = -1;
    public long[]? Cslg { get; set; }
    public bool HasStss { get; set; }
    public uint StszConstantSize { get; set; }
    public string ChunkOffsetBox { get; set; } = "";
    public List<long> ChunkOffsets { get; } = [];
}

/// <summary>A progressive MP4 read by the test-side reader: brands, movie header and tracks.</summary>
internal sealed class ParsedMp4
{
    public required List<Mp4Box> Boxes { get; init; }
    public string MajorBrand { get; private set; } = "";
    public List<string> CompatibleBrands { get; } = [];
    public uint MovieTimescale { get; private set; }
    public ulong MovieDuration { get; private set; }
    public uint NextTrackId { get; private set; }
    public List<ParsedTrack> Tracks { get; } = [];

    public Mp4Box Moov => Mp4Box.Find(Boxes, "moov") ?? throw new InvalidDataException("no moov");

    public static ParsedMp4 Parse(ReadOnlyMemory<byte> file)
    {
        var parsed = new ParsedMp4 { Boxes = Mp4Box.ParseAll(file) };
        var ftyp = new PayloadReader(Mp4Box.Find(parsed.Boxes, "ftyp")!.Payload.Span);
        parsed.MajorBrand = Encoding.ASCII.GetString(ftyp.Bytes(4));
        ftyp.U32();
        while (ftyp.Remaining >= 4)
        {
            parsed.CompatibleBrands.Add(Encoding.ASCII.GetString(ftyp.Bytes(4)));
        }

        var mvhd = parsed.Moov.Get("mvhd");
        var r = new PayloadReader(mvhd.Payload.Span);
        var wide = r.U8() == 1;
        r.Skip(3);
        r.U32Or64(wide);
        r.U32Or64(wide);
        parsed.MovieTimescale = r.U32();
        parsed.MovieDuration = r.U32Or64(wide);
        r.Position = mvhd.Payload.Length - 4;
        parsed.NextTrackId = r.U32();

        foreach (var trak in parsed.Moov.All("trak"))
        {
            parsed.Tracks.Add(TrackReader.Read(trak));
        }

        return parsed;
    }

    /// <summary>Reads an avc1/mp4a sample entry: picture size or audio format, plus the avcC / AudioSpecificConfig bytes.</summary>
    public static ParsedDescription ReadSampleEntry(Mp4Box entry)
    {
        var r = new PayloadReader(entry.Payload.Span);
        if (entry.Type == "avc1")
        {
            r.Skip(24);
            int width = r.U16(), height = r.U16();
            var children = Mp4Box.ParseAll(entry.Payload[78..], entry.Offset + entry.HeaderSize + 78);
            var avcC = Mp4Box.Find(children, "avcC") ?? throw new InvalidDataException("avc1 without avcC");
            return new ParsedDescription("avc1", width, height, 0, 0, avcC.Payload.ToArray());
        }

        if (entry.Type == "mp4a")
        {
            r.Skip(16);
            int channels = r.U16();
            r.Skip(6);
            var rate = (int)(r.U32() >> 16);
            var children = Mp4Box.ParseAll(entry.Payload[28..], entry.Offset + entry.HeaderSize + 28);
            var esds = Mp4Box.Find(children, "esds") ?? throw new InvalidDataException("mp4a without esds");
            return new ParsedDescription("mp4a", 0, 0, channels, rate, ReadAudioSpecificConfig(esds));
        }

        throw new InvalidDataException("unexpected sample entry " + entry.Type);
    }

    /// <summary>Follows ES_Descriptor → DecoderConfigDescriptor → DecoderSpecificInfo, checking the AAC fields on the way.</summary>
    public static byte[] ReadAudioSpecificConfig(Mp4Box esds)
    {
        var r = new PayloadReader(esds.Payload.Span);
        r.Skip(4);
        Expect(r.U8(), 0x03, "ES_Descriptor tag");
        var esSize = r.ExpandableSize();
        var esEnd = r.Position + esSize;
        r.U16();
        var esFlags = r.U8();
        if ((esFlags & 0x80) != 0)
        {
            r.Skip(2);
        }

        if ((esFlags & 0x40) != 0)
        {
            r.Skip(r.U8());
        }

        if ((esFlags & 0x20) != 0)
        {
            r.Skip(2);
        }

        Expect(r.U8(), 0x04, "DecoderConfigDescriptor tag");
        var dcSize = r.ExpandableSize();
        var dcEnd = r.Position + dcSize;
        Expect(r.U8(), 0x40, "objectTypeIndication");
        Expect(r.U8() >> 2, 5, "streamType");
        r.Skip(11);
        Expect(r.U8(), 0x05, "DecoderSpecificInfo tag");
        var asc = r.Bytes(r.ExpandableSize()).ToArray();
        Expect(r.Position, dcEnd, "end of DecoderConfigDescriptor");
        Expect(r.U8(), 0x06, "SLConfigDescriptor tag");
        Expect(r.ExpandableSize(), 1, "SLConfigDescriptor size");
        Expect(r.U8(), 2, "SLConfig predefined");
        Expect(r.Position, esEnd, "end of ES_Descriptor");
        Expect(r.Remaining, 0, "end of esds");
        return asc;
    }

    private static void Expect(int actual, int expected, string what)
    {
        if (actual != expected)
        {
            throw new InvalidDataException($"esds {what}: {actual}, expected {expected}");
        }
    }
}
