using VideoStreams.Media.Bits;

namespace VideoStreams.Media.Aac;

public sealed partial class AudioSpecificConfig
{
    /// <summary>
    /// Builds a config for an AAC encoder's output. Object types 1–4 (Main, LC, SSR, LTP) are written as a plain
    /// GASpecificConfig; 5 (HE-AAC) and 29 (HE-AAC v2) with explicit hierarchical signalling over an AAC-LC core
    /// running at half of <paramref name="sampleRate"/>.
    /// </summary>
    /// <param name="objectType">MPEG-4 audio object type: 1–5 or 29.</param>
    /// <param name="sampleRate">Output sample rate in Hz; a rate outside the standard table is written explicitly.</param>
    /// <param name="channels">1–6 or 8 (7.1); 29 (parametric stereo) needs 2 and codes a mono core.</param>
    /// <exception cref="ArgumentOutOfRangeException">An unsupported object type, rate or channel count.</exception>
    public static AudioSpecificConfig Create(int objectType, int sampleRate, int channels)
    {
        if (objectType is not (>= 1 and <= 5 or ObjectTypePs))
        {
            throw new ArgumentOutOfRangeException(nameof(objectType), objectType, "supported object types are 1-5 and 29");
        }

        var explicitSbr = objectType is ObjectTypeSbr or ObjectTypePs;
        var coreRate = explicitSbr ? sampleRate / 2 : sampleRate;
        if (coreRate <= 0 || sampleRate >= 1 << 24)
        {
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "sample rate must be between 1 Hz and 16.7 MHz");
        }

        if (objectType == ObjectTypePs && channels != 2)
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "parametric stereo puts out 2 channels");
        }

        var coreChannels = objectType == ObjectTypePs ? 1 : channels;
        var channelConfiguration = coreChannels switch
        {
            >= 1 and <= 6 => coreChannels,
            8 => 7,
            _ => throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1-6 or 8"),
        };

        Span<byte> buffer = stackalloc byte[16];
        var writer = new BitWriter(buffer);
        writer.WriteBits((uint)objectType, 5);
        WriteSampleRate(ref writer, coreRate);
        writer.WriteBits((uint)channelConfiguration, 4);
        if (explicitSbr)
        {
            WriteSampleRate(ref writer, sampleRate);
            writer.WriteBits(2, 5); // the core: AAC-LC
        }

        writer.WriteBits(0, 3); // frameLengthFlag (1024), dependsOnCoreCoder, extensionFlag
        writer.AlignWithZeros();
        return Parse(buffer[..writer.BytesWritten]);
    }

    private static void WriteSampleRate(ref BitWriter writer, int rate)
    {
        var index = SampleRates.IndexOf(rate);
        if (index >= 0)
        {
            writer.WriteBits((uint)index, 4);
        }
        else
        {
            writer.WriteBits(15, 4);
            writer.WriteBits((uint)rate, 24);
        }
    }
}
