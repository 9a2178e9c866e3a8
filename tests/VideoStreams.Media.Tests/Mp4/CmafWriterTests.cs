using System.Buffers;
using VideoStreams.Media.Mp4;

namespace VideoStreams.Media.Tests.Mp4;

/// <summary>Init segments and fragment headers, read back with the test-side box reader.</summary>
public sealed class CmafWriterTests
{
    private static byte[] Init(IReadOnlyList<Mp4Track> tracks)
    {
        var buffer = new ArrayBufferWriter<byte>();
        CmafWriter.WriteInitSegment(buffer, tracks);
        return buffer.WrittenSpan.ToArray();
    }

    private static (byte[] Bytes, int Payload) Fragment(uint sequence, params TrackFragment[] fragments)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var payload = CmafWriter.WriteFragmentHeader(buffer, sequence, fragments);
        buffer.Write(new byte[payload]);
        return (buffer.WrittenSpan.ToArray(), payload);
    }

    [Fact]
    public void Init_segment_declares_every_track_with_its_codec_configuration_and_empty_tables()
    {
        var bytes = Init([Synthetic.Video(id: 1), Synthetic.Audio(id: 2, language: "eng")]);

        var parsed = ParsedMp4.Parse(bytes);
        Assert.Equal("iso6", parsed.MajorBrand);
        Assert.Equal(["iso6", "cmfc", "mp41", "avc1"], parsed.CompatibleBrands);
        Assert.Equal((1000u, 0ul, 3u), (parsed.MovieTimescale, parsed.MovieDuration, parsed.NextTrackId));
        var (video, audio) = (parsed.Tracks[0], parsed.Tracks[1]);
        Assert.Equal((1u, "vide", 90000u, 1280.0, 720.0, 7u), (video.TrackId, video.Handler, video.Timescale, video.Width, video.Height, video.TkhdFlags));
        Assert.Equal((2u, "soun", 48000u, (ushort)0x100, "eng"), (audio.TrackId, audio.Handler, audio.Timescale, audio.Volume, audio.Language));
        Assert.Equal(Synthetic.AvcC, Assert.Single(video.Descriptions).Config);
        Assert.Equal(Synthetic.Asc, Assert.Single(audio.Descriptions).Config);
        Assert.Empty(video.Samples);
        Assert.Empty(audio.Samples);

        var trex = parsed.Moov.Get("mvex").All("trex").ToList();
        Assert.Equal([1u, 2u], trex.Select(t => new PayloadReader(t.Payload.Span[4..]).U32()));
        Assert.Equal(bytes.Length, parsed.Boxes.Sum(b => (int)b.Size));
    }

    [Fact]
    public void Init_segment_writes_the_description_the_caller_picks()
    {
        var buffer = new ArrayBufferWriter<byte>();
        CmafWriter.WriteInitSegment(buffer, [Synthetic.Video(sizes: [(640, 360), (1920, 1080)])], [1]);

        var track = ParsedMp4.Parse(buffer.WrittenMemory).Tracks[0];
        Assert.Equal((1920, 1080), (track.Descriptions[0].Width, track.Descriptions[0].Height));
        Assert.Equal((1920.0, 1080.0), (track.Width, track.Height));
    }

    [Fact]
    public void Esds_sizes_use_the_multi_byte_form_for_long_configurations()
    {
        var asc = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
        var track = new Mp4Track { TrackId = 1, Kind = Mp4TrackKind.Audio, Timescale = 44100, SampleDescriptions = [new AacSampleDescription(44100, 6, asc)] };

        var description = ParsedMp4.Parse(Init([track])).Tracks[0].Descriptions[0];
        Assert.Equal(asc, description.Config); // the reader checks every descriptor length on the way
        Assert.Equal((44100, 6), (description.SampleRate, description.ChannelCount));
    }

    [Fact]
    public void Shared_durations_sizes_and_flags_move_to_tfhd_defaults()
    {
        var audio = Synthetic.AudioSamples(20).Select(s => s with { Size = 64 }).ToArray();
        var (bytes, payload) = Fragment(3, new TrackFragment(2, 48000, audio));

        var fragment = Assert.Single(FragmentReader.Read(bytes));
        var traf = Assert.Single(fragment.Trafs);
        Assert.Equal(3u, fragment.SequenceNumber);
        Assert.Equal(0x020000u | 0x08 | 0x10 | 0x20, traf.TfhdFlags);
        Assert.Equal(0x001u, traf.TrunFlags);
        Assert.Equal(20 * 64, payload);
        Assert.Equal(audio.Select((s, i) => (48000L + (i * 1024), 1024u, 64, true)), traf.Samples.Select(s => (s.DecodeTime, s.Duration, s.Size, s.IsSync)));
    }

    [Fact]
    public void A_lone_sync_first_sample_uses_first_sample_flags()
    {
        var (bytes, _) = Fragment(1, new TrackFragment(1, 0, Synthetic.VideoSamples(30)));

        var traf = FragmentReader.Read(bytes)[0].Trafs[0];
        Assert.Equal(0x004u, traf.TrunFlags & 0x404);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => i == 0), traf.Samples.Select(s => s.IsSync));
        Assert.Equal([CmafWriter.SyncSampleFlags, CmafWriter.NonSyncSampleFlags], traf.Samples.Take(2).Select(s => s.Flags));
    }

    [Fact]
    public void Several_sync_samples_get_flags_per_sample()
    {
        var (bytes, _) = Fragment(1, new TrackFragment(1, 0, Synthetic.VideoSamples(60, gop: 20)));

        var traf = FragmentReader.Read(bytes)[0].Trafs[0];
        Assert.Equal(0x400u, traf.TrunFlags & 0x404);
        Assert.Equal(Enumerable.Range(0, 60).Select(i => i % 20 == 0), traf.Samples.Select(s => s.IsSync));
    }

    [Fact]
    public void Composition_offsets_are_left_out_when_all_zero_and_signed_in_trun_version_1_when_negative()
    {
        int[] offsets = [0, 6000, -3000, -3000, 6000, -3000];
        var (plain, _) = Fragment(1, new TrackFragment(1, 0, Synthetic.VideoSamples(6)));
        var (positive, _) = Fragment(1, new TrackFragment(1, 0, Synthetic.VideoSamples(6, offset: i => 3000)));
        var (signed, _) = Fragment(1, new TrackFragment(1, 0, Synthetic.VideoSamples(6, offset: i => offsets[i])));

        var trafs = new[] { plain, positive, signed }.Select(b => FragmentReader.Read(b)[0].Trafs[0]).ToList();
        Assert.Equal([(0, 0u), (0, 0x800u), (1, 0x800u)], trafs.Select(t => (t.TrunVersion, t.TrunFlags & 0x800)));
        Assert.Equal(offsets, trafs[2].Samples.Select(s => s.CompositionOffset));
    }

    [Fact]
    public void Each_track_data_offset_points_at_its_bytes_inside_the_mdat()
    {
        var video = Synthetic.VideoSamples(10, size: i => 1000 + i);
        var audio = Synthetic.AudioSamples(15);
        var buffer = new ArrayBufferWriter<byte>();
        var payload = CmafWriter.WriteFragmentHeader(buffer, 1, [new TrackFragment(1, 90000, video), new TrackFragment(2, 0, Synthetic.AudioSamples(0)), new TrackFragment(3, 48000, audio)]);
        var headerLength = buffer.WrittenCount;
        foreach (var (s, i) in video.Select((s, i) => (s, i)))
        {
            buffer.Write(Enumerable.Repeat((byte)i, s.Size).ToArray());
        }

        foreach (var (s, i) in audio.Select((s, i) => (s, i)))
        {
            buffer.Write(Enumerable.Repeat((byte)(100 + i), s.Size).ToArray());
        }

        var bytes = buffer.WrittenSpan.ToArray();
        var fragment = Assert.Single(FragmentReader.Read(bytes));
        Assert.Equal([1u, 3u], fragment.Trafs.Select(t => t.TrackId)); // the empty track has no traf
        Assert.Equal((headerLength, payload), ((int)fragment.MdatPayloadOffset, (int)fragment.MdatPayloadSize));
        var samples = fragment.Trafs.SelectMany(t => t.Samples).ToList();
        Assert.Equal(Enumerable.Range(0, 10).Concat(Enumerable.Range(100, 15)).Select(i => (byte)i), samples.Select(s => bytes[s.Offset]));
        Assert.All(samples, s => Assert.True(bytes.AsSpan((int)s.Offset, s.Size).IndexOfAnyExcept(bytes[s.Offset]) < 0));
        Assert.Equal(bytes.Length, samples[^1].Offset + samples[^1].Size);
    }

    [Fact]
    public void Writing_a_fragment_header_does_not_allocate()
    {
        var video = Synthetic.VideoSamples(60, gop: 30, offset: i => i % 3 == 0 ? 0 : -3000);
        var audio = Synthetic.AudioSamples(94);
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        TrackFragment[] fragments = [new(1, 0, video), new(2, 0, audio)];
        CmafWriter.WriteFragmentHeader(buffer, 1, fragments);
        buffer.ResetWrittenCount();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (uint i = 2; i < 100; i++)
        {
            CmafWriter.WriteFragmentHeader(buffer, i, fragments);
            buffer.ResetWrittenCount();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_segment_past_2_GiB_is_refused_before_anything_is_written()
    {
        var huge = Enumerable.Range(0, 2).Select(_ => new Mp4Sample(0, 3000, 0, 1_500_000_000, true)).ToArray();
        var buffer = new ArrayBufferWriter<byte>();

        var error = Assert.Throws<MediaFormatException>(() => CmafWriter.WriteFragmentHeader(buffer, 1, [new TrackFragment(1, 0, huge)]));
        Assert.Equal(MediaFormatError.InvalidValue, error.Error);
        Assert.Equal(0, buffer.WrittenCount);
    }
}
