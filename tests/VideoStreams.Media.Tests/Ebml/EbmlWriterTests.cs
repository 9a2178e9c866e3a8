using System.Buffers;
using VideoStreams.Media.Ebml;

namespace VideoStreams.Media.Tests.Ebml;

public class EbmlWriterTests
{
    private static string Hex(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return Convert.ToHexString(buffer.WrittenSpan);
    }

    [Theory]
    [InlineData(0UL, "80")]
    [InlineData(126UL, "FE")]
    [InlineData(127UL, "407F")] // 0xFF would read as "unknown size"
    [InlineData(16382UL, "7FFE")]
    [InlineData(16383UL, "203FFF")]
    [InlineData((1UL << 56) - 2, "01FFFFFFFFFFFFFE")]
    public void Sizes_use_the_shortest_width_that_is_not_all_ones(ulong size, string hex)
    {
        Assert.Equal(hex, Hex(b => EbmlWriter.WriteSize(b, size)));
        Assert.Equal(hex.Length / 2, EbmlWriter.SizeLength(size));
    }

    [Fact]
    public void Sizes_can_be_written_in_a_fixed_width()
    {
        Assert.Equal("0100000000000005", Hex(b => EbmlWriter.WriteSize(b, 5, 8)));
        Assert.Equal("4005", Hex(b => EbmlWriter.WriteSize(b, 5, 2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Hex(b => EbmlWriter.WriteSize(b, 300, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Hex(b => EbmlWriter.WriteSize(b, 1UL << 56)));
    }

    [Fact]
    public void Unknown_size_is_the_8_byte_all_ones_marker()
    {
        Assert.Equal("1F43B67501FFFFFFFFFFFFFF", Hex(b => EbmlWriter.WriteUnknownSizeElementHeader(b, 0x1F43B675)));
    }

    [Fact]
    public void Typed_elements_are_encoded_big_endian_in_their_shortest_form()
    {
        Assert.Equal("2AD7B1830F4240", Hex(b => EbmlWriter.WriteUInt(b, 0x2AD7B1, 1_000_000)));
        Assert.Equal("D78101", Hex(b => EbmlWriter.WriteUInt(b, 0xD7, 1)));
        Assert.Equal("E78100", Hex(b => EbmlWriter.WriteUInt(b, 0xE7, 0)));
        Assert.Equal("FB81FF", Hex(b => EbmlWriter.WriteInt(b, 0xFB, -1)));
        Assert.Equal("FB82FF7F", Hex(b => EbmlWriter.WriteInt(b, 0xFB, -129)));
        Assert.Equal("FB820080", Hex(b => EbmlWriter.WriteInt(b, 0xFB, 128)));
        Assert.Equal("B58840E7700000000000", Hex(b => EbmlWriter.WriteFloat(b, 0xB5, 48000)));
        Assert.Equal("428288" + Convert.ToHexString("matroska"u8), Hex(b => EbmlWriter.WriteString(b, 0x4282, "matroska")));
        Assert.Equal("63A283010203", Hex(b => EbmlWriter.WriteBinary(b, 0x63A2, new byte[] { 1, 2, 3 })));
    }

    [Fact]
    public void Nested_masters_are_back_patched_with_the_shortest_sizes()
    {
        using var b = new EbmlWriterBuffer(16);
        var tags = b.BeginMaster(0x1254C367);
        var tag = b.BeginMaster(0x7373);
        EbmlWriter.WriteString(b, 0x45A3, "N");
        EbmlWriter.WriteBinary(b, 0x4485, new byte[200]);
        b.EndMaster(tag);
        b.EndMaster(tags);

        // Tag payload: 45A3 81 4E (4) + 4485 40C8 + 200 (204) = 208 → size 40D0; Tags payload: 7373 40D0 + 208 = 212.
        var hex = Convert.ToHexString(b.WrittenSpan);
        Assert.StartsWith("1254C36740D4" + "737340D0" + "45A3814E" + "448540C8", hex, StringComparison.Ordinal);
        Assert.Equal(6 + 212, b.WrittenCount);
    }
}
