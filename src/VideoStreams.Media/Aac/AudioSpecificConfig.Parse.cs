using System.Diagnostics.CodeAnalysis;
using VideoStreams.Media.Bits;

namespace VideoStreams.Media.Aac;

public sealed partial class AudioSpecificConfig
{
    private const int SyncExtensionSbr = 0x2B7;
    private const int SyncExtensionPs = 0x548;
    private const int ObjectTypeSbr = 5;
    private const int ObjectTypePs = 29;

    /// <summary>Parses an AudioSpecificConfig. The input is copied.</summary>
    /// <exception cref="MediaFormatException">
    /// <see cref="MediaFormatError.InvalidAudioConfig"/>: cut short, object type 0, a reserved sampling frequency index
    /// or channel configuration, or an explicit frequency of zero.
    /// </exception>
    public static AudioSpecificConfig Parse(ReadOnlySpan<byte> data)
    {
        var config = new AudioSpecificConfig(data.ToArray());
        var reader = new BitReader(data, MediaFormatError.InvalidAudioConfig);
        config.Read(ref reader);
        return config;
    }

    private void Read(ref BitReader reader)
    {
        ObjectType = ReadObjectType(ref reader);
        CoreObjectType = ObjectType;
        (SamplingFrequencyIndex, SampleRate) = ReadSampleRate(ref reader);
        OutputSampleRate = SampleRate;
        ChannelConfiguration = (int)reader.ReadBits(4);
        ChannelCount = ChannelCounts[ChannelConfiguration];
        Check(ChannelCount >= 0, "reserved channelConfiguration");

        var explicitSbr = ObjectType is ObjectTypeSbr or ObjectTypePs;
        if (explicitSbr)
        {
            // Explicit hierarchical signalling: the extension rate follows, then the core's object type.
            SbrPresent = true;
            PsPresent = ObjectType == ObjectTypePs;
            OutputSampleRate = ReadSampleRate(ref reader).Rate;
            CoreObjectType = ReadObjectType(ref reader);
            if (CoreObjectType == 22)
            {
                reader.Skip(4); // extensionChannelConfiguration
            }
        }

        if (!IsGeneralAudio(CoreObjectType))
        {
            // Other coders (CELP, HVXC, USAC, …) have their own specific configs; the fields above are all we need.
            return;
        }

        ReadGaSpecificConfig(ref reader);
        if (CoreObjectType is 17 or >= 19 and <= 23)
        {
            var epConfig = reader.ReadBits(2);
            if (epConfig is 2 or 3)
            {
                // ErrorProtectionSpecificConfig follows; no sync extension can be found behind it.
                return;
            }
        }

        if (!explicitSbr && reader.BitsRemaining >= 16)
        {
            ReadSyncExtension(ref reader);
        }
    }

    /// <summary>GASpecificConfig (4.4.1): frame length, core coder delay, and the program config element if any.</summary>
    private void ReadGaSpecificConfig(ref BitReader reader)
    {
        FrameLength = reader.ReadFlag() ? 960 : 1024;
        if (reader.ReadFlag())
        {
            reader.Skip(14); // coreCoderDelay
        }

        var extensionFlag = reader.ReadFlag();
        if (ChannelConfiguration == 0)
        {
            ChannelCount = ReadProgramConfigElementChannels(ref reader);
        }

        if (CoreObjectType is 6 or 20)
        {
            reader.Skip(3); // layerNr
        }

        if (extensionFlag)
        {
            if (CoreObjectType == 22)
            {
                reader.Skip(16); // numOfSubFrame, layer_length
            }

            if (CoreObjectType is 17 or 19 or 20 or 23)
            {
                reader.Skip(3); // section, scalefactor and spectral data resilience flags
            }

            reader.Skip(1); // extensionFlag3
        }
    }

    /// <summary>
    /// Backward-compatible SBR/PS signalling (1.6.5.2): an AAC-LC config followed by sync extensions that decoders
    /// unaware of SBR ignore. Encoders (FFmpeg's included) often append one with <c>sbrPresentFlag</c> = 0.
    /// </summary>
    private void ReadSyncExtension(ref BitReader reader)
    {
        if (reader.ReadBits(11) != SyncExtensionSbr)
        {
            return;
        }

        var extensionType = ReadObjectType(ref reader);
        if (extensionType == ObjectTypeSbr)
        {
            if (!reader.ReadFlag())
            {
                return;
            }

            SbrPresent = true;
            OutputSampleRate = ReadSampleRate(ref reader).Rate;
            if (reader.BitsRemaining >= 12 && reader.ReadBits(11) == SyncExtensionPs)
            {
                PsPresent = reader.ReadFlag();
            }
        }
        else if (extensionType == 22 && reader.ReadFlag())
        {
            SbrPresent = true;
            OutputSampleRate = ReadSampleRate(ref reader).Rate;
        }
    }

    /// <summary>program_config_element() (4.4.1.1): counts the channels its elements carry.</summary>
    private static int ReadProgramConfigElementChannels(ref BitReader reader)
    {
        reader.Skip(4 + 2 + 4); // element_instance_tag, object_type, sampling_frequency_index
        var front = (int)reader.ReadBits(4);
        var side = (int)reader.ReadBits(4);
        var back = (int)reader.ReadBits(4);
        var lfe = (int)reader.ReadBits(2);
        var assocData = (int)reader.ReadBits(3);
        var validCc = (int)reader.ReadBits(4);
        if (reader.ReadFlag())
        {
            reader.Skip(4); // mono_mixdown_element_number
        }

        if (reader.ReadFlag())
        {
            reader.Skip(4); // stereo_mixdown_element_number
        }

        if (reader.ReadFlag())
        {
            reader.Skip(3); // matrix_mixdown_idx, pseudo_surround_enable
        }

        var channels = lfe;
        for (var i = 0; i < front + side + back; i++)
        {
            channels += reader.ReadFlag() ? 2 : 1; // *_element_is_cpe: a channel pair
            reader.Skip(4); // *_element_tag_select
        }

        reader.Skip((4L * lfe) + (4L * assocData) + (5L * validCc));

        // Byte alignment is relative to the start of the AudioSpecificConfig, which is where the reader started.
        reader.AlignToByte();
        var commentBytes = reader.ReadBits(8);
        reader.Skip(8L * commentBytes);
        Check(channels > 0, "program config element without channels");
        return channels;
    }

    private static int ReadObjectType(ref BitReader reader)
    {
        var type = (int)reader.ReadBits(5);
        if (type == 31)
        {
            type = 32 + (int)reader.ReadBits(6);
        }

        Check(type != 0, "audioObjectType 0");
        return type;
    }

    private static (int Index, int Rate) ReadSampleRate(ref BitReader reader)
    {
        var index = (int)reader.ReadBits(4);
        if (index == 15)
        {
            var rate = (int)reader.ReadBits(24);
            Check(rate > 0, "explicit sampling frequency of 0");
            return (index, rate);
        }

        Check(index < SampleRates.Length, "reserved samplingFrequencyIndex");
        return (index, SampleRates[index]);
    }

    private static void Check([DoesNotReturnIf(false)] bool condition, string what)
    {
        if (!condition)
        {
            ThrowHelper.Throw(MediaFormatError.InvalidAudioConfig, "invalid AudioSpecificConfig: " + what);
        }
    }
}
