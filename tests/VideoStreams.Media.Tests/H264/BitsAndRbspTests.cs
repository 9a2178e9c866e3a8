using FsCheck.Xunit;
using VideoStreams.Media.Bits;
using VideoStreams.Media.H264;

namespace VideoStreams.Media.Tests.H264;

public sealed class BitsAndRbspTests
{
    [Fact]
    public void Bits_are_read_most_significant_first_across_byte_boundaries()
    {
        var reader = new BitReader([0b1010_1100, 0b0101_0011, 0xFF, 0x00, 0x80]);

        Assert.Equal(1u, reader.ReadBit());
        Assert.Equal(0b010u, reader.ReadBits(3));
        Assert.Equal(0b1100_0101u, reader.ReadBits(8));
        Assert.Equal(0b0011_1111_1111_0000_0000_1u, reader.ReadBits(21));
        Assert.Equal(7, reader.BitsRemaining);
        Assert.False(reader.IsByteAligned);
        reader.AlignToByte();
        Assert.Equal(0, reader.BitsRemaining);
    }

    [Theory]
    [InlineData("80", 0u, 0)] // 1
    [InlineData("40", 1u, 1)] // 010
    [InlineData("60", 2u, -1)] // 011
    [InlineData("20", 3u, 2)] // 00100
    [InlineData("28", 4u, -2)] // 00101
    [InlineData("00000001FFFFFFFE", 0xFFFF_FFFEu, -0x7FFF_FFFF)] // 31 zeros, 1, 31 ones: the largest code
    public void Exp_golomb_codes_decode_to_their_values(string hex, uint ue, int se)
    {
        var bytes = Convert.FromHexString(hex);

        Assert.Equal(ue, new BitReader(bytes).ReadUe());
        Assert.Equal(se, new BitReader(bytes).ReadSe());
    }

    [Fact]
    public void Reading_past_the_end_throws_the_reason_given()
    {
        Assert.Equal(MediaFormatError.Truncated, Assert.Throws<MediaFormatException>(() => new BitReader([0xFF]).ReadBits(9)).Error);
        Assert.Equal(MediaFormatError.InvalidSps, Assert.Throws<MediaFormatException>(() => new BitReader([0x00], MediaFormatError.InvalidSps).ReadUe()).Error);
        Assert.Equal(MediaFormatError.InvalidSps, Assert.Throws<MediaFormatException>(() => new BitReader([0, 0, 0, 0, 0xFF], MediaFormatError.InvalidSps).ReadUe()).Error);
        Assert.Equal(MediaFormatError.Truncated, Assert.Throws<MediaFormatException>(() => new BitReader([]).Skip(1)).Error);
    }

    [Property(MaxTest = 200)]
    public bool What_the_writer_writes_the_reader_reads(uint[] unsigned, int[] signed)
    {
        var buffer = new byte[(unsigned.Length * 16) + (signed.Length * 16) + 8];
        var writer = new BitWriter(buffer);
        foreach (var u in unsigned)
        {
            writer.WriteUe(u == uint.MaxValue ? 0 : u);
            writer.WriteBits(u, 32);
            writer.WriteBit(u % 2 == 1);
        }

        foreach (var s in signed)
        {
            writer.WriteSe(s == int.MinValue ? 0 : s);
        }

        var reader = new BitReader(buffer.AsSpan(0, writer.BytesWritten));
        foreach (var u in unsigned)
        {
            if (reader.ReadUe() != (u == uint.MaxValue ? 0 : u) || reader.ReadBits(32) != u || reader.ReadFlag() != (u % 2 == 1))
            {
                return false;
            }
        }

        foreach (var s in signed)
        {
            if (reader.ReadSe() != (s == int.MinValue ? 0 : s))
            {
                return false;
            }
        }

        return reader.BitsRemaining < 8;
    }

    [Fact]
    public void Writer_overwrites_stale_bytes_in_the_destination()
    {
        var buffer = new byte[] { 0xFF, 0xFF };
        var writer = new BitWriter(buffer);

        writer.WriteBits(0b101, 3);
        writer.AlignWithZeros();

        Assert.Equal(1, writer.BytesWritten);
        Assert.Equal(0b1010_0000, buffer[0]);
        Assert.Throws<ArgumentException>(() =>
        {
            var full = new BitWriter(new byte[1]);
            full.WriteBits(0, 9);
        });
    }

    [Theory]
    [InlineData("6764001facd9", "6764001facd9")]
    [InlineData("000003010000030000", "00000100000000")] // each 00 00 03 loses its 03, zero counting restarts after it
    [InlineData("00000303", "000003")] // the second 03 is data
    [InlineData("0000", "0000")]
    [InlineData("", "")]
    public void Emulation_prevention_bytes_are_removed(string escaped, string rbsp)
    {
        var source = Convert.FromHexString(escaped);
        var destination = new byte[source.Length];

        var written = H264Rbsp.Unescape(source, destination);

        Assert.Equal(rbsp, Convert.ToHexStringLower(destination, 0, written));
    }

    [Property(MaxTest = 300)]
    public bool Escaping_then_unescaping_gives_back_the_rbsp(byte[] rbsp)
    {
        // Bias towards zeros so that escapes are frequent.
        var biased = rbsp.Select(b => b < 128 ? (byte)0 : (byte)(b & 3)).ToArray();
        var escaped = new byte[H264Rbsp.GetEscapedSize(biased)];
        H264Rbsp.Escape(biased, escaped);
        var back = new byte[escaped.Length];
        var length = H264Rbsp.Unescape(escaped, back);

        return back.AsSpan(0, length).SequenceEqual(biased)
            && escaped.AsSpan().IndexOf([(byte)0, (byte)0, (byte)1]) < 0
            && escaped.AsSpan().IndexOf([(byte)0, (byte)0, (byte)0]) < 0
            && escaped.AsSpan().IndexOf([(byte)0, (byte)0, (byte)2]) < 0;
    }
}
