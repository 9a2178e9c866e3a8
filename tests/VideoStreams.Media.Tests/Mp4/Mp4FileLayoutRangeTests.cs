using System.Buffers.Binary;
using VideoStreams.Media.Mp4;

namespace VideoStreams.Media.Tests.Mp4;

/// <summary>Offsets past 4 GiB, byte-range mapping, and what building a header costs.</summary>
public sealed class Mp4FileLayoutRangeTests
{
    private static Mp4Sample[] Huge(int count, int size) =>
        Enumerable.Range(0, count).Select(i => new Mp4Sample(i * 90000L, 90000, 0, size, i % 2 == 0)).ToArray();

    [Fact]
    public void Chunk_offsets_stay_32_bit_while_every_chunk_starts_below_4_GiB()
    {
        // Two 1.9 GiB samples, one a chunk: the second starts near 1.9 GiB, the file ends near 3.8 GiB.
        var layout = Mp4FileLayout.Create([Synthetic.Video()], Synthetic.Lists(Huge(2, 2_040_109_465)));

        Assert.False(layout.UsesCo64);
        Assert.Equal("stco", ParsedMp4.Parse(layout.Header).Tracks[0].ChunkOffsetBox);
        Assert.Equal(8, MdatHeader(layout).Length);
    }

    [Fact]
    public void Chunk_offsets_switch_to_co64_and_mdat_to_largesize_once_a_chunk_starts_past_4_GiB()
    {
        // Three 2 GiB samples: the third chunk starts past 4 GiB, so nothing was written but the header.
        var layout = Mp4FileLayout.Create([Synthetic.Video()], Synthetic.Lists(Huge(3, int.MaxValue)));

        Assert.True(layout.UsesCo64);
        var track = ParsedMp4.Parse(layout.Header).Tracks[0];
        Assert.Equal("co64", track.ChunkOffsetBox);
        Assert.Equal(layout.Chunks.Select(c => c.FileOffset), track.ChunkOffsets);
        Assert.True(track.ChunkOffsets[2] > uint.MaxValue);
        Assert.Equal(3L * int.MaxValue + layout.Header.Length, layout.FileSize);

        var mdat = MdatHeader(layout);
        Assert.Equal(16, mdat.Length);
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32BigEndian(mdat));
        Assert.Equal((ulong)(3L * int.MaxValue) + 16, BinaryPrimitives.ReadUInt64BigEndian(mdat.AsSpan(8)));

        var piece = Assert.Single(MapAll(layout, layout.FileSize - 10, 10));
        Assert.Equal((0, 2, int.MaxValue - 10, 10), (piece.TrackIndex, piece.SampleIndex, piece.SourceOffset, piece.Length));
    }

    private static byte[] MdatHeader(Mp4FileLayout layout)
    {
        var moov = Mp4Box.Find(Mp4Box.ParseAll(layout.Header), "moov")!;
        return layout.Header.Span[(int)(moov.Offset + moov.Size)..].ToArray();
    }

    [Fact]
    public async Task Pieces_of_any_byte_range_reassemble_to_the_same_bytes_as_the_whole_file()
    {
        using var dir = new TempDirectory();
        var source = await SourceMp4.FromMkvAsync(VideoStreams.TestSupport.Samples.Main360p30Aac, dir.Path);
        var layout = Mp4FileLayout.Create(source.Tracks, source.SampleMemories);
        var whole = Mp4Outputs.WriteProgressive(source, layout);
        Assert.Equal(layout.FileSize, whole.Length);

        var random = new Random(42);
        var headerLength = layout.Header.Length;
        var ranges = new List<(long, long)>
        {
            (0, whole.Length), (0, 0), (0, 1), (whole.Length - 1, 1), (whole.Length, 0), (headerLength - 3, 10), (headerLength, 1), (5, headerLength - 5),
        };
        for (var i = 0; i < 300; i++)
        {
            var start = random.NextInt64(whole.Length);
            ranges.Add((start, random.NextInt64(Math.Min(whole.Length - start, i % 3 == 0 ? 200 : 200_000) + 1)));
        }

        foreach (var (offset, length) in ranges)
        {
            var assembled = new byte[length];
            var position = offset;
            foreach (var piece in layout.MapRange(offset, length))
            {
                Assert.Equal(position, piece.FileOffset);
                Assert.True(piece.Length > 0);
                var bytes = piece.IsHeader
                    ? layout.Header.Slice(piece.SourceOffset, piece.Length)
                    : source.Data(piece.TrackIndex, piece.SampleIndex).Slice(piece.SourceOffset, piece.Length);
                bytes.Span.CopyTo(assembled.AsSpan((int)(position - offset)));
                position += piece.Length;
            }

            Assert.Equal(offset + length, position);
            Assert.True(whole.AsSpan((int)offset, (int)length).SequenceEqual(assembled), $"range {offset}+{length}");
        }
    }

    [Fact]
    public void A_range_outside_the_file_is_refused()
    {
        var layout = Mp4FileLayout.Create([Synthetic.Video()], Synthetic.Lists(Synthetic.VideoSamples(3)));

        Assert.Throws<ArgumentOutOfRangeException>(() => layout.MapRange(layout.FileSize - 1, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => layout.MapRange(-1, 1));
    }

    [Fact]
    public void Empty_samples_produce_no_pieces()
    {
        var samples = Synthetic.VideoSamples(6, size: i => i % 2 == 0 ? 0 : 10);
        var layout = Mp4FileLayout.Create([Synthetic.Video()], Synthetic.Lists(samples));

        var pieces = MapAll(layout, layout.Header.Length, 30);
        Assert.Equal([1, 3, 5], pieces.Select(p => p.SampleIndex));
    }

    [Fact]
    public void Building_the_header_allocates_the_header_and_per_chunk_tables_but_nothing_per_sample()
    {
        var video = Synthetic.VideoSamples(200_000, offset: i => (i % 4) * 3000 - 3000);
        var audio = Synthetic.AudioSamples(300_000);
        var lists = Synthetic.Lists(video, audio);
        Mp4Track[] tracks = [Synthetic.Video(), Synthetic.Audio()];
        Mp4FileLayout.Create(tracks, lists); // warm up

        var before = GC.GetAllocatedBytesForCurrentThread();
        var layout = Mp4FileLayout.Create(tracks, lists);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // A per-sample allocation of even one small object would cost 500 000 × 24 bytes = 12 MB.
        var budget = layout.Header.Length + (layout.Chunks.Count * 160L) + 64 * 1024;
        Assert.True(allocated <= budget, $"allocated {allocated} bytes, budget {budget} (header {layout.Header.Length}, {layout.Chunks.Count} chunks)");
    }

    private static List<Mp4RangePiece> MapAll(Mp4FileLayout layout, long offset, long length)
    {
        var list = new List<Mp4RangePiece>();
        foreach (var piece in layout.MapRange(offset, length))
        {
            list.Add(piece);
        }

        return list;
    }
}
