using VideoStreams.Media.Aac;
using VideoStreams.Media.Bits;
using VideoStreams.Media.Tests.H264;
using VideoStreams.TestSupport;

namespace VideoStreams.Media.Tests.Aac;

[Collection(EncodedAudioCollection.Name)]
public sealed class AudioSpecificConfigTests(EncodedAudio audio)
{
    [Theory]
    [MemberData(nameof(EncodedAudio.Names), MemberType = typeof(EncodedAudio))]
    public void Config_of_encoded_stream_agrees_with_ffprobe(string name)
    {
        var variant = audio[name];

        var config = AudioSpecificConfig.Parse(variant.Config);

        Assert.Equal(2, config.ObjectType);
        Assert.Equal("mp4a.40.2", config.CodecString);
        Assert.Equal(variant.SampleRate, config.SampleRate);
        Assert.Equal(variant.SampleRate, config.OutputSampleRate);
        Assert.Equal(variant.Channels, config.ChannelCount);
        Assert.Equal(1024, config.FrameLength);
        Assert.False(config.SbrPresent);
        Assert.Equal(variant.Config, config.Bytes.ToArray());
    }

    [Theory]
    [InlineData(Samples.Main360p30Aac)]
    [InlineData(Samples.High720p30Aac)]
    public async Task Sample_config_is_aac_lc_48khz_stereo_with_an_sbr_sync_extension_saying_no(string sample)
    {
        var path = Samples.PathOf(sample);
        var bytes = await FfprobeFacts.ExtradataAsync(path, "a:0");
        var facts = await FfprobeFacts.StreamAsync(path, "a:0");

        var config = AudioSpecificConfig.Parse(bytes);

        Assert.Equal("119056e500", Convert.ToHexStringLower(bytes));
        Assert.Equal((48000, 2), (facts.SampleRate, facts.Channels));
        Assert.Equal((2, 48000, 2, 2), (config.ObjectType, config.SampleRate, config.ChannelConfiguration, config.ChannelCount));
        Assert.False(config.SbrPresent);
        Assert.Equal("mp4a.40.2", config.CodecString);
    }

    [Theory]
    [MemberData(nameof(EncodedAudio.Names), MemberType = typeof(EncodedAudio))]
    public void Built_config_is_what_ffmpeg_writes_before_its_sync_extension(string name)
    {
        var variant = audio[name];
        var parsed = AudioSpecificConfig.Parse(variant.Config);

        var built = AudioSpecificConfig.Create(2, variant.SampleRate, variant.Channels);

        Assert.Equal((variant.SampleRate, variant.Channels), (built.SampleRate, built.ChannelCount));
        if (parsed.ChannelConfiguration != 0)
        {
            Assert.Equal(variant.Config.AsSpan(0, 2).ToArray(), built.ToArray());
        }
        else
        {
            // FFmpeg describes quad and hexagonal with a program config element; Create uses the standard
            // configuration with that many channels (4: C+L+R+S, 6: 5.1), a different speaker layout.
            Assert.Equal(variant.Channels, built.ChannelConfiguration);
        }
    }

    [Fact]
    public void Program_config_element_channels_are_counted()
    {
        var quad = AudioSpecificConfig.Parse(audio["lc-32000-quad-pce"].Config);
        var hexagonal = AudioSpecificConfig.Parse(audio["lc-16000-hexagonal-pce"].Config);

        Assert.Equal((0, 4), (quad.ChannelConfiguration, quad.ChannelCount));
        Assert.Equal((0, 6), (hexagonal.ChannelConfiguration, hexagonal.ChannelCount));
    }

    [Fact]
    public void Seven_point_one_uses_channel_configuration_7()
    {
        var config = AudioSpecificConfig.Parse(audio["lc-22050-7.1"].Config);

        Assert.Equal((7, 8), (config.ChannelConfiguration, config.ChannelCount));
    }

    [Fact]
    public void Explicit_he_aac_signalling_is_understood_and_built()
    {
        byte[] heAac = [0x2B, 0x11, 0x88, 0x00]; // AOT 5, 24 kHz core, stereo, 48 kHz SBR, core AOT 2

        var config = AudioSpecificConfig.Parse(heAac);

        Assert.Equal((5, 2), (config.ObjectType, config.CoreObjectType));
        Assert.Equal((24000, 48000), (config.SampleRate, config.OutputSampleRate));
        Assert.True(config.SbrPresent);
        Assert.False(config.PsPresent);
        Assert.Equal("mp4a.40.5", config.CodecString);
        Assert.Equal(heAac, AudioSpecificConfig.Create(5, 48000, 2).ToArray());
    }

    [Fact]
    public void Explicit_he_aac_v2_signalling_is_understood_and_built()
    {
        byte[] heAacV2 = [0xEB, 0x09, 0x88, 0x00]; // AOT 29, 24 kHz mono core, 48 kHz SBR, core AOT 2

        var config = AudioSpecificConfig.Parse(heAacV2);

        Assert.Equal((29, 2, 1), (config.ObjectType, config.CoreObjectType, config.ChannelCount));
        Assert.True(config.SbrPresent && config.PsPresent);
        Assert.Equal("mp4a.40.29", config.CodecString);
        Assert.Equal(heAacV2, AudioSpecificConfig.Create(29, 48000, 2).ToArray());
    }

    [Fact]
    public void Backward_compatible_sbr_and_ps_sync_extensions_are_understood()
    {
        var bytes = new byte[8];
        var w = new BitWriter(bytes);
        w.WriteBits(2, 5);
        w.WriteBits(6, 4); // 24 kHz
        w.WriteBits(1, 4); // mono
        w.WriteBits(0, 3);
        w.WriteBits(0x2B7, 11);
        w.WriteBits(5, 5);
        w.WriteBit(true); // sbrPresentFlag
        w.WriteBits(3, 4); // 48 kHz
        w.WriteBits(0x548, 11);
        w.WriteBit(true); // psPresentFlag
        w.AlignWithZeros();

        var config = AudioSpecificConfig.Parse(bytes.AsSpan(0, w.BytesWritten));

        Assert.Equal((2, 24000, 48000), (config.ObjectType, config.SampleRate, config.OutputSampleRate));
        Assert.True(config.SbrPresent && config.PsPresent);
        Assert.Equal("mp4a.40.2", config.CodecString);
    }

    [Fact]
    public void Frame_length_flag_selects_960_samples()
    {
        var config = AudioSpecificConfig.Parse([0x11, 0x94]); // LC, 48 kHz, stereo, frameLengthFlag

        Assert.Equal(960, config.FrameLength);
    }

    [Fact]
    public void Explicit_sampling_frequency_is_written_and_read()
    {
        var built = AudioSpecificConfig.Create(2, 22000, 1);

        var config = AudioSpecificConfig.Parse(built.ToArray());

        Assert.Equal((15, 22000, 1), (config.SamplingFrequencyIndex, config.SampleRate, config.ChannelCount));
        Assert.Equal(5, built.Bytes.Length);
    }

    [Fact]
    public void Escaped_object_type_is_read()
    {
        var bytes = new byte[4];
        var w = new BitWriter(bytes);
        w.WriteBits(31, 5);
        w.WriteBits(42 - 32, 6); // USAC
        w.WriteBits(3, 4);
        w.WriteBits(2, 4);

        var config = AudioSpecificConfig.Parse(bytes.AsSpan(0, w.BytesWritten));

        Assert.Equal((42, 48000, 2), (config.ObjectType, config.SampleRate, config.ChannelCount));
        Assert.Equal("mp4a.40.42", config.CodecString);
    }

    [Theory]
    [InlineData(0, 48000, 2)]
    [InlineData(6, 48000, 2)]
    [InlineData(2, 0, 2)]
    [InlineData(2, 48000, 7)]
    [InlineData(2, 48000, 0)]
    [InlineData(29, 48000, 1)]
    public void Unsupported_build_requests_are_argument_errors(int objectType, int sampleRate, int channels) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => AudioSpecificConfig.Create(objectType, sampleRate, channels));
}
