using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using VideoStreams.Media.Matroska;
using VideoStreams.TestSupport;

namespace VideoStreams.Media.Tests.Matroska;

/// <summary>The reader is fed as bytes arrive: how the input is cut must not change what comes out.</summary>
public sealed class MatroskaReaderIncrementalTests
{
    private static readonly Lazy<byte[]> Main = new(() => File.ReadAllBytes(Samples.PathOf(Samples.Main360p30Aac)));
    private static readonly Lazy<byte[]> Laced = new(() => File.ReadAllBytes(Samples.PathOf(Samples.LacedBlockGroups)));
    private static readonly Lazy<byte[]> Live = new(() => File.ReadAllBytes(Samples.PathOf(Samples.LiveHigh720p30Aac)));

    [Property(MaxTest = 25)]
    public Property Random_chunk_sizes_give_the_same_frames_as_one_piece(PositiveInt seed, PositiveInt maxChunk)
    {
        var random = new Random(seed.Get);
        var limit = 1 + (maxChunk.Get % 70_000);
        var data = (seed.Get % 3) switch { 0 => Main.Value, 1 => Laced.Value, _ => Live.Value };
        var whole = ReadLog.ReadWhole(data);

        var chunked = ReadLog.ReadChunked(data, () => random.Next(1, limit + 1));

        return (SameFrames(whole, chunked) && whole.Events.SequenceEqual(chunked.Events)).Label($"chunks up to {limit} bytes");
    }

    [Theory]
    [InlineData(Samples.Main360p30Aac)]
    [InlineData(Samples.LacedBlockGroups)]
    [InlineData(Samples.LiveHigh720p30Aac)]
    public void One_byte_at_a_time_gives_the_same_frames_as_one_piece(string sample)
    {
        var data = File.ReadAllBytes(Samples.PathOf(sample));
        var whole = ReadLog.ReadWhole(data);

        var byteByByte = ReadLog.ReadChunked(data, () => 1);

        Assert.True(SameFrames(whole, byteByByte));
        Assert.Equal(whole.Events, byteByByte.Events);
        Assert.Equal(whole.Clusters, byteByByte.Clusters);
    }

    [Fact]
    public void Buffer_never_holds_more_than_the_largest_element()
    {
        // Feed 4 KiB at a time and watch how much the caller must keep: at most one element (a frame) plus a chunk.
        var data = Main.Value;
        var whole = ReadLog.ReadWhole(data);
        var largestFrame = whole.Frames.Max(f => f.Data.Length);
        var reader = new MatroskaReader();
        var pending = Array.Empty<byte>();
        var offered = 0;
        var maxHeld = 0;
        while (offered < data.Length)
        {
            var n = Math.Min(4096, data.Length - offered);
            pending = [.. pending, .. data.AsSpan(offered, n)];
            offered += n;
            maxHeld = Math.Max(maxHeld, pending.Length);
            var sr = new System.Buffers.SequenceReader<byte>(new System.Buffers.ReadOnlySequence<byte>(pending));
            while (reader.TryRead(ref sr, out _, offered == data.Length))
            {
            }

            pending = pending[(int)sr.Consumed..];
        }

        Assert.InRange(maxHeld, 1, largestFrame + 4096 + 64);
    }

    [Theory]
    [InlineData(Samples.Main360p30Aac, 997)]
    [InlineData(Samples.LiveHigh720p30Aac, 64 << 10)]
    [InlineData(Samples.LacedBlockGroups, 4 << 20)]
    public void Reading_a_file_in_prefetched_blocks_gives_the_same_frames(string sample, int blockSize)
    {
        var whole = ReadLog.ReadWhole(File.ReadAllBytes(Samples.PathOf(sample)));
        var log = new ReadLog();
        using var file = File.OpenHandle(Samples.PathOf(sample));

        new MatroskaReader().ReadFile(file, log.Record, blockSize);

        Assert.True(SameFrames(whole, log));
        Assert.Equal(whole.Events, log.Events);
    }

    [Fact]
    public void Reading_a_truncated_file_in_blocks_stops_with_a_truncation_error()
    {
        var log = new ReadLog();
        using var file = File.OpenHandle(Samples.PathOf(Samples.Truncated));

        var error = Assert.Throws<MediaFormatException>(() => new MatroskaReader().ReadFile(file, log.Record, 4096));

        Assert.Equal(MediaFormatError.Truncated, error.Error);
        Assert.NotEmpty(log.Frames);
    }

    private static bool SameFrames(ReadLog a, ReadLog b) =>
        a.Frames.Count == b.Frames.Count && a.Frames.Zip(b.Frames).All(p => p.First.SameAs(p.Second));
}
