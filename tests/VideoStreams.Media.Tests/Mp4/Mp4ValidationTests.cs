using System.Buffers;
using VideoStreams.Media.Mp4;

namespace VideoStreams.Media.Tests.Mp4;

/// <summary>Input the writers cannot represent is refused with a reason, never written as a broken file.</summary>
public sealed class Mp4ValidationTests
{
    private static MediaFormatError LayoutError(Mp4Track track, params Mp4Sample[] samples) =>
        Assert.Throws<MediaFormatException>(() => Mp4FileLayout.Create([track], Synthetic.Lists(samples))).Error;

    [Fact]
    public void An_avcC_that_is_not_a_version_1_record_is_refused()
    {
        var bad = new Mp4Track { TrackId = 1, Kind = Mp4TrackKind.Video, Timescale = 90000, SampleDescriptions = [new AvcSampleDescription(640, 360, new byte[] { 0, 1, 2 })] };

        Assert.Equal(MediaFormatError.InvalidAvcConfig, LayoutError(bad, Synthetic.VideoSamples(1)));
        Assert.Equal(MediaFormatError.InvalidAvcConfig, Assert.Throws<MediaFormatException>(() => CmafWriter.WriteInitSegment(new ArrayBufferWriter<byte>(), [bad])).Error);
    }

    [Fact]
    public void A_picture_size_an_avc1_entry_cannot_hold_is_refused()
    {
        var bad = new Mp4Track { TrackId = 1, Kind = Mp4TrackKind.Video, Timescale = 90000, SampleDescriptions = [new AvcSampleDescription(70000, 360, Synthetic.AvcC)] };

        Assert.Equal(MediaFormatError.InvalidValue, LayoutError(bad, Synthetic.VideoSamples(1)));
    }

    [Fact]
    public void An_audio_specific_config_shorter_than_two_bytes_is_refused()
    {
        var bad = new Mp4Track { TrackId = 1, Kind = Mp4TrackKind.Audio, Timescale = 48000, SampleDescriptions = [new AacSampleDescription(48000, 2, new byte[] { 0x11 })] };

        Assert.Equal(MediaFormatError.InvalidAudioConfig, LayoutError(bad, Synthetic.AudioSamples(1)));
    }

    [Fact]
    public void A_sample_naming_a_missing_description_or_with_a_negative_size_is_refused()
    {
        Assert.Equal(MediaFormatError.InvalidValue, LayoutError(Synthetic.Video(), new Mp4Sample(0, 3000, 0, 10, true, DescriptionIndex: 1)));
        Assert.Equal(MediaFormatError.InvalidValue, LayoutError(Synthetic.Video(), new Mp4Sample(0, 3000, 0, -1, true)));
        Assert.Equal(MediaFormatError.InvalidValue, Assert.Throws<MediaFormatException>(
            () => CmafWriter.WriteFragmentHeader(new ArrayBufferWriter<byte>(), 1, [new TrackFragment(1, 0, new[] { new Mp4Sample(0, 1, 0, -5, true) })])).Error);
    }

    [Fact]
    public void A_negative_base_media_decode_time_is_refused()
    {
        var error = Assert.Throws<MediaFormatException>(
            () => CmafWriter.WriteFragmentHeader(new ArrayBufferWriter<byte>(), 1, [new TrackFragment(1, -1, Synthetic.VideoSamples(1))]));

        Assert.Equal(MediaFormatError.InvalidTimestamp, error.Error);
    }

    [Theory]
    [InlineData("eng", "eng")]
    [InlineData("und", "und")]
    [InlineData("ENG", "und")]
    [InlineData("en", "und")]
    [InlineData("", "und")]
    public void Languages_are_packed_as_three_lower_case_letters_or_und(string given, string written)
    {
        var audio = Synthetic.Audio(language: given);

        var parsed = ParsedMp4.Parse(Mp4FileLayout.Create([audio], Synthetic.Lists(Synthetic.AudioSamples(1))).Header);
        Assert.Equal(written, parsed.Tracks[0].Language);
    }

    [Fact]
    public void Duplicate_track_ids_are_a_caller_error()
    {
        Assert.Throws<ArgumentException>(() => Mp4FileLayout.Create([Synthetic.Video(id: 1), Synthetic.Audio(id: 1)], Synthetic.Lists([], [])));
    }
}
