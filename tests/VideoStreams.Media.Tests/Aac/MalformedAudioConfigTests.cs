using VideoStreams.Media.Aac;

namespace VideoStreams.Media.Tests.Aac;

[Collection(EncodedAudioCollection.Name)]
public sealed class MalformedAudioConfigTests(EncodedAudio audio)
{
    [Theory]
    [InlineData("")]
    [InlineData("11")] // cut inside the channel configuration
    [InlineData("0190")] // audioObjectType 0
    [InlineData("16900")] // samplingFrequencyIndex 13 (reserved)
    [InlineData("1240")] // channelConfiguration 8 (reserved)
    [InlineData("178000000100")] // explicit frequency of 0
    [InlineData("1780")] // explicit frequency cut short
    [InlineData("1200050404")] // program config element cut short
    public void Malformed_config_is_an_invalid_audio_config(string hex)
    {
        var bytes = Convert.FromHexString(hex.Length % 2 == 1 ? hex + "0" : hex);

        Assert.Equal(MediaFormatError.InvalidAudioConfig, Assert.Throws<MediaFormatException>(() => AudioSpecificConfig.Parse(bytes)).Error);
    }

    [Fact]
    public void Every_prefix_and_random_bit_flip_of_real_configs_is_refused_or_sane()
    {
        var random = new Random(48000);
        foreach (var variant in audio.All)
        {
            for (var length = 0; length <= variant.Config.Length; length++)
            {
                AssertRefusedOrSane(variant.Config.AsSpan(0, length).ToArray());
            }

            for (var i = 0; i < 300; i++)
            {
                var bytes = variant.Config.ToArray();
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                AssertRefusedOrSane(bytes);
            }
        }
    }

    private static void AssertRefusedOrSane(byte[] bytes)
    {
        try
        {
            var config = AudioSpecificConfig.Parse(bytes);
            Assert.InRange(config.SampleRate, 1, (1 << 24) - 1);
            Assert.InRange(config.OutputSampleRate, 1, (1 << 24) - 1);
            Assert.InRange(config.ChannelCount, config.ChannelConfiguration == 0 && config.CoreObjectType is not (1 or 2 or 3 or 4 or 6 or 7 or 17 or 19 or 20 or 21 or 22 or 23) ? 0 : 1, 24 + (15 * 3 * 2) + 3);
            Assert.Contains(config.FrameLength, new[] { 960, 1024 });
            Assert.StartsWith("mp4a.40.", config.CodecString, StringComparison.Ordinal);
        }
        catch (MediaFormatException e)
        {
            Assert.Equal(MediaFormatError.InvalidAudioConfig, e.Error);
        }
    }
}
