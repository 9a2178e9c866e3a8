using System.Buffers;
using VideoStreams.Media.Matroska;

namespace VideoStreams.Media.Tests.Matroska;

public class MatroskaWriterRulesTests
{
    private static readonly MatroskaTrack Video = new() { Number = 1, Type = MatroskaTrackType.Video, CodecId = "V_MPEG4/ISO/AVC", PixelWidth = 64, PixelHeight = 64 };
    private static readonly MatroskaTrack Audio = new() { Number = 2, Uid = 77, Type = MatroskaTrackType.Audio, CodecId = "A_AAC", SamplingFrequency = 48000, Channels = 2 };

    private static MatroskaFrame Frame(ulong track, long timestamp, int size = 10) =>
        new(track, timestamp, true, new ReadOnlyMemory<byte>(new byte[size]));

    private static (MatroskaWriter Writer, ArrayBufferWriter<byte> Output) Started()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new MatroskaWriter(output);
        writer.WriteHeader(new MatroskaSegmentInfo(), [Video, Audio]);
        return (writer, output);
    }

    [Theory]
    [InlineData(32768)]
    [InlineData(-32769)]
    public void A_sized_cluster_refuses_a_frame_beyond_a_16_bit_offset_and_writes_nothing(long offset)
    {
        var (writer, output) = Started();
        var before = output.WrittenCount;

        var e = Assert.Throws<ArgumentException>(() => writer.WriteCluster(100_000, [Frame(1, 100_000), Frame(2, 100_000 + offset)]));

        Assert.Contains("new cluster", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, output.WrittenCount);
        Assert.Equal(before, writer.BytesWritten);
    }

    [Fact]
    public void A_streamed_cluster_refuses_a_frame_beyond_a_16_bit_offset_and_keeps_the_cluster_usable()
    {
        var (writer, output) = Started();
        writer.BeginCluster(0);
        writer.WriteFrame(Frame(1, short.MaxValue));
        var before = output.WrittenCount;

        Assert.Throws<ArgumentException>(() => writer.WriteFrame(Frame(1, short.MaxValue + 1)));

        Assert.Equal(before, output.WrittenCount);
        writer.WriteFrame(Frame(2, 5));
        writer.EndCluster();
        writer.BeginCluster(short.MaxValue + 1);
        writer.WriteFrame(Frame(1, short.MaxValue + 1));
    }

    [Fact]
    public void Frames_of_undeclared_tracks_are_refused()
    {
        var (writer, _) = Started();

        Assert.Throws<ArgumentException>(() => writer.WriteCluster(0, [Frame(3, 0)]));
        writer.BeginCluster(0);
        Assert.Throws<ArgumentException>(() => writer.WriteFrame(Frame(3, 0)));
    }

    [Fact]
    public void A_chunk_with_a_bad_frame_writes_nothing()
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.Throws<ArgumentException>(() => MatroskaWriter.WriteChunk(output, new MatroskaSegmentInfo(), [Video], [], 0, [Frame(1, 0), Frame(1, 40_000)], []));
        Assert.Throws<ArgumentException>(() => MatroskaWriter.WriteChunk(output, new MatroskaSegmentInfo(), [Video], [], 0, [Frame(2, 0)], []));
        Assert.Throws<ArgumentException>(() => MatroskaWriter.WriteChunk(output, new MatroskaSegmentInfo(), [Video], [], 0, [Frame(1, 0)], [new MatroskaTag([], [new MatroskaSimpleTag("", "x")])]));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void Calls_out_of_order_are_refused()
    {
        var output = new ArrayBufferWriter<byte>();
        using var writer = new MatroskaWriter(output);

        Assert.Throws<InvalidOperationException>(() => writer.WriteCluster(0, [Frame(1, 0)]));
        Assert.Throws<InvalidOperationException>(() => writer.BeginCluster(0));
        Assert.Throws<InvalidOperationException>(() => writer.WriteTags([]));
        writer.WriteHeader(new MatroskaSegmentInfo(), [Video]);
        Assert.Throws<InvalidOperationException>(() => writer.WriteFrame(Frame(1, 0)));
        Assert.Throws<InvalidOperationException>(() => writer.EndCluster());
        writer.BeginCluster(0);
        Assert.True(writer.InCluster);
        Assert.Throws<InvalidOperationException>(() => writer.BeginCluster(1));
        Assert.Throws<InvalidOperationException>(() => writer.WriteTags([]));
        Assert.Throws<InvalidOperationException>(() => writer.WriteCluster(0, []));
        Assert.Throws<InvalidOperationException>(() => writer.WriteHeader(new MatroskaSegmentInfo(), [Video]));
        writer.EndCluster();
        Assert.False(writer.InCluster);
    }

    public static TheoryData<string, MatroskaTrack[]> BadTracks() => new()
    {
        { "no tracks", [] },
        { "duplicate numbers", [Video, Video with { Uid = 9 }] },
        { "track number 0", [Video with { Number = 0 }] },
        { "empty codec id", [Video with { CodecId = "" }] },
        { "non-ASCII codec id", [Video with { CodecId = "V_É" }] },
        { "negative width", [Video with { PixelWidth = -1 }] },
        { "NaN sampling frequency", [Audio with { SamplingFrequency = double.NaN }] },
    };

    [Theory]
    [MemberData(nameof(BadTracks))]
    public void Unwritable_tracks_are_refused_before_anything_is_written(string why, MatroskaTrack[] tracks)
    {
        var output = new ArrayBufferWriter<byte>();
        using var writer = new MatroskaWriter(output);

        var e = Assert.Throws<ArgumentException>(() => writer.WriteHeader(new MatroskaSegmentInfo(), tracks));

        Assert.False(string.IsNullOrEmpty(e.Message), why);
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void Writing_frames_allocates_nothing()
    {
        var output = new ArrayBufferWriter<byte>(4_000_000);
        using var writer = new MatroskaWriter(output);
        writer.WriteHeader(new MatroskaSegmentInfo(), [Video, Audio]);
        var data = new ReadOnlySequence<byte>(new byte[5000]);
        var frames = Enumerable.Range(0, 200).Select(i => new MatroskaFrame(1 + (ulong)(i % 2), i * 10, i == 0, data)).ToArray();
        writer.WriteCluster(0, frames);
        output.ResetWrittenCount();

        var before = GC.GetAllocatedBytesForCurrentThread();
        writer.BeginCluster(0);
        foreach (var frame in frames)
        {
            writer.WriteFrame(frame);
        }

        writer.EndCluster();
        writer.WriteCluster(2000, frames);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(output.WrittenCount > 2 * 200 * 5000);
    }
}
