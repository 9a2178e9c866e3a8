namespace VideoStreams.Media.Mp4;

internal static partial class Mp4Boxes
{
    private const int Avc1FixedSize = 86;
    private const int Mp4aFixedSize = 36;

    // ISO/IEC 14496-1 descriptor tags used inside esds.
    private const byte EsDescriptorTag = 0x03;
    private const byte DecoderConfigDescriptorTag = 0x04;
    private const byte DecoderSpecificInfoTag = 0x05;
    private const byte SlConfigDescriptorTag = 0x06;

    /// <summary>Checks a description before anything is sized or written from it.</summary>
    public static void Validate(Mp4SampleDescription description)
    {
        switch (description)
        {
            case AvcSampleDescription avc:
                var record = avc.AvcDecoderConfigurationRecord.Span;
                if (record.Length < 7 || record[0] != 1)
                {
                    ThrowHelper.Throw(MediaFormatError.InvalidAvcConfig, "The avcC record is too short or not version 1.");
                }

                if (avc.Width is <= 0 or > ushort.MaxValue || avc.Height is <= 0 or > ushort.MaxValue)
                {
                    ThrowHelper.Throw(MediaFormatError.InvalidValue, $"Picture size {avc.Width}x{avc.Height} cannot be stored in an avc1 entry.");
                }

                break;
            case AacSampleDescription aac:
                if (aac.AudioSpecificConfig.Length is < 2 or > 0xFFFF)
                {
                    ThrowHelper.Throw(MediaFormatError.InvalidAudioConfig, "The AudioSpecificConfig must be 2 to 65535 bytes long.");
                }

                if (aac.ChannelCount is < 0 or > ushort.MaxValue || aac.SampleRate < 0)
                {
                    ThrowHelper.Throw(MediaFormatError.InvalidValue, "Impossible channel count or sample rate.");
                }

                break;
            default:
                ThrowHelper.Throw(MediaFormatError.UnsupportedCodec, "Only H.264 and AAC sample descriptions can be written.");
                break;
        }
    }

    public static int SizeOfSampleEntry(Mp4SampleDescription description) => description switch
    {
        AvcSampleDescription avc => Avc1FixedSize + 8 + avc.AvcDecoderConfigurationRecord.Length,
        AacSampleDescription aac => Mp4aFixedSize + SizeOfEsds(aac.AudioSpecificConfig.Length),
        _ => ThrowHelper.Throw<int>(MediaFormatError.UnsupportedCodec, "Only H.264 and AAC sample descriptions can be written."),
    };

    public static void WriteSampleEntry(ref BoxWriter w, Mp4SampleDescription description)
    {
        switch (description)
        {
            case AvcSampleDescription avc:
                WriteAvc1(ref w, avc);
                break;
            case AacSampleDescription aac:
                WriteMp4a(ref w, aac);
                break;
            default:
                ThrowHelper.Throw(MediaFormatError.UnsupportedCodec, "Only H.264 and AAC sample descriptions can be written.");
                break;
        }
    }

    private static void WriteAvc1(ref BoxWriter w, AvcSampleDescription avc)
    {
        var box = w.StartBox("avc1"u8);
        w.WriteZeros(6);
        w.WriteUInt16(1); // data_reference_index: the one url entry in dref
        w.WriteZeros(16); // pre_defined, reserved, pre_defined[3]
        w.WriteUInt16((ushort)avc.Width);
        w.WriteUInt16((ushort)avc.Height);
        w.WriteUInt32(0x00480000); // 72 dpi
        w.WriteUInt32(0x00480000);
        w.WriteUInt32(0);
        w.WriteUInt16(1); // frame_count
        w.WriteZeros(32); // compressorname: empty Pascal string
        w.WriteUInt16(0x0018); // depth: colour, no alpha
        w.WriteUInt16(0xFFFF); // pre_defined = -1
        var avcC = w.StartBox("avcC"u8);
        w.WriteBytes(avc.AvcDecoderConfigurationRecord.Span);
        w.EndBox(avcC);
        w.EndBox(box);
    }

    private static void WriteMp4a(ref BoxWriter w, AacSampleDescription aac)
    {
        var box = w.StartBox("mp4a"u8);
        w.WriteZeros(6);
        w.WriteUInt16(1);
        w.WriteZeros(8);
        w.WriteUInt16((ushort)aac.ChannelCount);
        w.WriteUInt16(16); // samplesize
        w.WriteUInt32(0); // pre_defined, reserved
        // 16.16 rate; rates above 65535 Hz do not fit, and decoders take the real rate from the AudioSpecificConfig.
        w.WriteUInt32(aac.SampleRate <= ushort.MaxValue ? (uint)aac.SampleRate << 16 : 0);
        WriteEsds(ref w, aac.AudioSpecificConfig.Span);
        w.EndBox(box);
    }

    private static int SizeOfEsds(int ascLength)
    {
        var decoderConfig = 13 + DescriptorSize(ascLength);
        var es = 3 + DescriptorSize(decoderConfig) + 3;
        return 12 + DescriptorSize(es);
    }

    /// <summary>Total size of a descriptor with a <paramref name="payload"/>-byte body: tag, expandable size, body.</summary>
    private static int DescriptorSize(int payload) => 1 + ExpandableSizeLength(payload) + payload;

    private static int ExpandableSizeLength(int size) => size switch
    {
        < 0x80 => 1,
        < 0x4000 => 2,
        < 0x200000 => 3,
        _ => 4,
    };

    /// <summary>
    /// <c>esds</c>: ES_Descriptor ⊃ DecoderConfigDescriptor (AAC, audio stream) ⊃ DecoderSpecificInfo (the
    /// AudioSpecificConfig), then an SLConfigDescriptor with the predefined MP4 value 2.
    /// </summary>
    private static void WriteEsds(ref BoxWriter w, ReadOnlySpan<byte> audioSpecificConfig)
    {
        var decoderConfig = 13 + DescriptorSize(audioSpecificConfig.Length);
        var es = 3 + DescriptorSize(decoderConfig) + 3;

        var box = w.StartFullBox("esds"u8, 0, 0);
        WriteDescriptorHeader(ref w, EsDescriptorTag, es);
        w.WriteUInt16(0); // ES_ID: 0 inside an MP4 file
        w.WriteByte(0); // no dependency, URL or OCR stream; priority 0

        WriteDescriptorHeader(ref w, DecoderConfigDescriptorTag, decoderConfig);
        w.WriteByte(0x40); // objectTypeIndication: MPEG-4 Audio
        w.WriteByte((5 << 2) | 1); // streamType 5 (audio), upStream 0, reserved 1
        w.WriteUInt24(0); // bufferSizeDB: not known up front
        w.WriteUInt32(0); // maxBitrate
        w.WriteUInt32(0); // avgBitrate: 0 = variable/unknown
        WriteDescriptorHeader(ref w, DecoderSpecificInfoTag, audioSpecificConfig.Length);
        w.WriteBytes(audioSpecificConfig);

        WriteDescriptorHeader(ref w, SlConfigDescriptorTag, 1);
        w.WriteByte(2); // predefined: reserved for use in MP4 files
        w.EndBox(box);
    }

    /// <summary>Tag then size in the expandable form: 7 bits a byte, most significant first, high bit = more follows.</summary>
    private static void WriteDescriptorHeader(ref BoxWriter w, byte tag, int size)
    {
        w.WriteByte(tag);
        for (var shift = 7 * (ExpandableSizeLength(size) - 1); shift > 0; shift -= 7)
        {
            w.WriteByte((byte)(0x80 | ((size >> shift) & 0x7F)));
        }

        w.WriteByte((byte)(size & 0x7F));
    }
}
