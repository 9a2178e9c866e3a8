using VideoStreams.Media.Matroska;
using VideoStreams.TestSupport;
using static VideoStreams.Media.Tests.Matroska.EbmlBytes;

namespace VideoStreams.Media.Tests.Matroska;

/// <summary>Malformed input: one typed exception, bounded time and memory, and nothing read before it is lost.</summary>
public sealed class MatroskaReaderMalformedTests
{
    private static readonly byte[] Key = [0x65, 0x88, 0x84];

    private static byte[] Document(params byte[][] clusters) =>
        Concat(Header(), Segment([Info(), Tracks(VideoTrack(1)), .. clusters]));

    private static MediaFormatError ErrorOf(byte[] data, MatroskaReaderOptions? options = null) =>
        Assert.Throws<MediaFormatException>(() => ReadLog.ReadWhole(data, options)).Error;

    [Fact]
    public void A_size_field_claiming_2_pow_56_bytes_is_refused_before_anything_is_allocated()
    {
        byte[] huge = [0xEC, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE]; // Void of 2^56 - 2 bytes
        var data = Concat(Header(), UnknownSize(0x18538067, Info(), huge));

        Assert.Equal(MediaFormatError.ElementTooLarge, ErrorOf(data));
    }

    [Fact]
    public void An_element_larger_than_its_parent_is_refused()
    {
        var tracks = Tracks(VideoTrack(1));
        var segment = Concat(Id(0x18538067), Size8(tracks.Length - 3), tracks);

        Assert.Equal(MediaFormatError.ElementOutsideParent, ErrorOf(Concat(Header(), segment)));
    }

    [Fact]
    public void Elements_over_the_configured_limit_are_refused()
    {
        var data = Document(Cluster(0, SimpleBlock(1, 0, 0x80, new byte[5000])));

        Assert.Equal(MediaFormatError.ElementTooLarge, ErrorOf(data, new MatroskaReaderOptions { MaxElementSize = 4096 }));
    }

    [Fact]
    public void Absurdly_nested_tags_are_refused_without_exhausting_the_stack()
    {
        var simpleTag = Concat(Element(0x67C8, Text(0x45A3, "leaf")));
        for (var i = 0; i < 5000; i++)
        {
            simpleTag = Element(0x67C8, Text(0x45A3, "n"), simpleTag);
        }

        var data = Concat(Header(), Segment(Info(), Element(0x1254C367, Element(0x7373, simpleTag))));

        Assert.Equal(MediaFormatError.NestingTooDeep, ErrorOf(data, new MatroskaReaderOptions { MaxElementSize = 1 << 26 }));
    }

    [Fact]
    public void A_block_for_a_track_that_was_never_declared_is_refused()
    {
        Assert.Equal(MediaFormatError.UndeclaredTrack, ErrorOf(Document(Cluster(0, SimpleBlock(2, 0, 0x80, Key)))));
    }

    [Fact]
    public void A_block_before_the_cluster_timestamp_is_refused()
    {
        var cluster = Element(0x1F43B675, SimpleBlock(1, 0, 0x80, Key));

        Assert.Equal(MediaFormatError.MissingElement, ErrorOf(Document(cluster)));
    }

    [Fact]
    public void Unknown_size_is_allowed_only_for_segments_and_clusters()
    {
        var data = Concat(Header(), UnknownSize(0x18538067, UnknownSize(0x1549A966, UInt(0x2AD7B1, 1_000_000))));

        Assert.Equal(MediaFormatError.UnknownSizeNotAllowed, ErrorOf(data));
    }

    [Theory]
    [InlineData("not a matroska file at all")]
    [InlineData("\0\0\0\0\0\0")]
    public void Input_that_is_not_ebml_is_refused(string text)
    {
        var error = ErrorOf(System.Text.Encoding.ASCII.GetBytes(text));

        Assert.True(error is MediaFormatError.InvalidEbmlHeader or MediaFormatError.InvalidVarInt, error.ToString());
    }

    [Fact]
    public void Other_document_types_are_refused()
    {
        Assert.Equal(MediaFormatError.UnsupportedDocType, ErrorOf(Concat(Header("divx"), Segment(Info()))));
    }

    [Fact]
    public void Empty_input_is_refused()
    {
        Assert.Equal(MediaFormatError.InvalidEbmlHeader, ErrorOf([]));
    }

    [Fact]
    public void Old_h264_codec_id_is_recognised()
    {
        var log = ReadLog.ReadWhole(Concat(Header(), Segment(Info(), Tracks(VideoTrack(1, "V_MPEG/ISO/AVC")))));

        Assert.True(log.Tracks[0].IsH264);
    }

    [Theory]
    [InlineData(0x02, new byte[] { 2, 2, 3 }, new byte[] { 2, 3 })] // Xiph: sizes 2, 3, rest
    [InlineData(0x06, new byte[] { 2, 0x82, 0xBF + 1 }, new byte[] { 2, 3 })] // EBML: 2, then +1 (0xC0 = 64 - 63 = +1), rest
    [InlineData(0x04, new byte[] { 2 }, new byte[] { 3, 3 })] // fixed: three equal laces
    public void Laced_blocks_split_into_their_frames(byte lacing, byte[] laceHeader, byte[] expectedFirstSizes)
    {
        var payload = Concat(laceHeader, Enumerable.Range(1, 9).Select(i => (byte)i).ToArray());
        var data = Document(Cluster(1000, SimpleBlock(1, 5, (byte)(0x80 | lacing), payload)));

        var frames = ReadLog.ReadWhole(data).Frames;

        Assert.Equal(3, frames.Count);
        Assert.Equal(expectedFirstSizes, frames.Take(2).Select(f => (byte)f.Data.Length));
        Assert.Equal(9, frames.Sum(f => f.Data.Length));
        Assert.Equal(Enumerable.Range(1, 9).Select(i => (byte)i), frames.SelectMany(f => f.Data));
        Assert.All(frames, f => Assert.Equal(1005, f.Timestamp));
    }

    [Theory]
    [InlineData(0x02, new byte[] { 2, 255, 255 })] // Xiph sizes larger than the block
    [InlineData(0x04, new byte[] { 3 })] // 9 bytes do not split into 4 equal laces
    [InlineData(0x06, new byte[] { 2, 0x82, 0x80 })] // EBML delta -63 makes a negative size
    public void Lace_sizes_that_do_not_add_up_are_refused(byte lacing, byte[] laceHeader)
    {
        var payload = Concat(laceHeader, new byte[9]);
        var data = Document(Cluster(0, SimpleBlock(1, 0, (byte)(0x80 | lacing), payload)));

        Assert.Equal(MediaFormatError.InvalidLacing, ErrorOf(data));
    }

    [Fact]
    public void Unknown_size_cluster_ends_where_segment_level_tags_begin()
    {
        var tags = Element(0x1254C367, Element(0x7373, Element(0x67C8, Text(0x45A3, "AWS_KINESISVIDEO_FRAGMENT_NUMBER"), Text(0x4487, "91343852333181432392682062607743920146264867"))));
        var data = Concat(Header(), UnknownSize(
            0x18538067,
            Info(),
            Tracks(VideoTrack(1)),
            UnknownSize(0x1F43B675, UInt(0xE7, 0), SimpleBlock(1, 0, 0x80, Key)),
            tags,
            UnknownSize(0x1F43B675, UInt(0xE7, 2000), SimpleBlock(1, 0, 0x80, Key))));

        var log = ReadLog.ReadWhole(data);

        Assert.Equal(
            [MatroskaEventKind.EbmlHeader, MatroskaEventKind.SegmentStart, MatroskaEventKind.Info, MatroskaEventKind.Tracks,
             MatroskaEventKind.ClusterStart, MatroskaEventKind.Frame, MatroskaEventKind.ClusterEnd, MatroskaEventKind.Tags,
             MatroskaEventKind.ClusterStart, MatroskaEventKind.Frame, MatroskaEventKind.ClusterEnd, MatroskaEventKind.SegmentEnd],
            log.Events);
        Assert.Equal("91343852333181432392682062607743920146264867", log.Tags.Single().SimpleTags.Single().Value);
        Assert.Equal([0L, 2000L], log.Frames.Select(f => f.Timestamp));
    }

    [Fact]
    public void Documents_back_to_back_are_read_one_after_the_other()
    {
        var one = Concat(Header(), UnknownSize(0x18538067, Info(), Tracks(VideoTrack(1)), UnknownSize(0x1F43B675, UInt(0xE7, 0), SimpleBlock(1, 0, 0x80, Key))));
        var two = Document(Cluster(40, SimpleBlock(1, 0, 0x80, Key)));

        var log = ReadLog.ReadWhole(Concat(one, two, one));

        Assert.Equal(3, log.Events.Count(e => e == MatroskaEventKind.EbmlHeader));
        Assert.Equal(3, log.Events.Count(e => e == MatroskaEventKind.SegmentEnd));
        Assert.Equal([0L, 40L, 0L], log.Frames.Select(f => f.Timestamp));
    }

    [Fact]
    public async Task Every_prefix_of_a_real_file_gives_a_prefix_of_its_frames_or_a_typed_error()
    {
        var data = await File.ReadAllBytesAsync(Samples.PathOf(Samples.Tiny));
        var full = ReadLog.ReadWhole(data);

        await Bounded(() =>
        {
            for (var length = 0; length < data.Length; length++)
            {
                var log = new ReadLog();
                var error = Record.Exception(() => new MatroskaReader().ReadAll(data.AsMemory(0, length), log.Record));
                Assert.True(error is null or MediaFormatException, $"prefix {length}: {error}");
                Assert.True(log.Frames.Count <= full.Frames.Count);
                Assert.All(log.Frames.Zip(full.Frames), p => Assert.True(p.First.SameAs(p.Second), $"prefix {length}"));
            }
        });
    }

    [Fact]
    public async Task Random_bit_flips_of_a_real_file_give_a_typed_error_or_a_clean_read()
    {
        var original = await File.ReadAllBytesAsync(Samples.PathOf(Samples.Main360p30Aac));
        var random = new Random(20261126);
        var outcomes = new Dictionary<string, int>();

        await Bounded(() =>
        {
            for (var round = 0; round < 300; round++)
            {
                var data = (byte[])original.Clone();
                // Flip bits near the front (headers) half of the time: that is where structure lives.
                var span = round % 2 == 0 ? 4096 : data.Length;
                for (var flips = random.Next(1, 8); flips > 0; flips--)
                {
                    data[random.Next(span)] ^= (byte)(1 << random.Next(8));
                }

                var error = Record.Exception(() => ReadLog.ReadWhole(data));
                Assert.True(error is null or MediaFormatException, $"round {round}: {error}");
                var key = error is MediaFormatException m ? m.Error.ToString() : "clean";
                outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
            }
        });

        // The corpus must actually exercise the error paths, not only clean reads.
        Assert.True(outcomes.Count >= 3, string.Join(", ", outcomes));
    }

    [Fact]
    public async Task Random_garbage_after_a_valid_header_gives_a_typed_error()
    {
        var random = new Random(7);
        await Bounded(() =>
        {
            for (var round = 0; round < 500; round++)
            {
                var garbage = new byte[random.Next(1, 2048)];
                random.NextBytes(garbage);
                var data = Concat(Header(), UnknownSize(0x18538067, Info(), Tracks(VideoTrack(1))), garbage);
                var error = Record.Exception(() => ReadLog.ReadWhole(data));
                Assert.True(error is null or MediaFormatException, $"round {round}: {error}");
            }
        });
    }

    private static Task Bounded(Action action) => Task.Run(action).WaitAsync(TimeSpan.FromSeconds(60));
}
