using VideoStreams.Media.H264;

namespace VideoStreams.Media.Tests.H264;

public sealed class NalFramingTests
{
    [Fact]
    public void Annex_b_yields_nal_units_without_start_codes_or_trailing_zeros()
    {
        byte[] stream =
        [
            0, 0, 0, 1, 0x09, 0xF0, // AUD behind a 4-byte start code
            0, 0, 1, 0x67, 0x42, 0x00, // SPS behind a 3-byte start code, then trailing_zero_8bits
            0, 0, 0, 0, 1, 0x68, 0xCE,
            0, 0, 1, 0x65, 0x88, 0x84, 0x00, 0x00, 0x03, 0x01, // IDR with an emulation-prevention byte, kept
        ];

        var nals = Collect(H264Nal.EnumerateAnnexB(stream));

        Assert.Equal(
            ["09f0", "6742", "68ce", "65888400000301"],
            nals.Select(Convert.ToHexStringLower));
    }

    [Fact]
    public void Annex_b_skips_empty_nal_units_and_leading_zero_bytes()
    {
        byte[] stream = [0, 0, 0, 0, 0, 1, 0, 0, 1, 0x09, 0x10, 0, 0, 1, 0, 0, 0, 1];

        Assert.Equal(["0910"], Collect(H264Nal.EnumerateAnnexB(stream)).Select(Convert.ToHexStringLower));
        Assert.Empty(Collect(H264Nal.EnumerateAnnexB([0, 0, 0])));
        Assert.Empty(Collect(H264Nal.EnumerateAnnexB([])));
    }

    [Fact]
    public void Annex_b_reports_offsets_of_each_nal_unit()
    {
        byte[] stream = [0, 0, 0, 1, 0x09, 0xF0, 0, 0, 1, 0x67, 0x42];
        var e = H264Nal.EnumerateAnnexB(stream);

        Assert.True(e.MoveNext());
        Assert.Equal(4, e.CurrentOffset);
        Assert.True(e.MoveNext());
        Assert.Equal(9, e.CurrentOffset);
        Assert.False(e.MoveNext());
    }

    [Fact]
    public void Annex_b_refuses_bytes_before_the_first_start_code()
    {
        var error = Assert.Throws<MediaFormatException>(() => Collect(H264Nal.EnumerateAnnexB([0x00, 0x00, 0x02, 0x00, 0x00, 0x01, 0x09])));
        Assert.Equal(MediaFormatError.InvalidNalUnit, error.Error);

        // Length-prefixed data handed over as Annex B by mistake.
        error = Assert.Throws<MediaFormatException>(() => Collect(H264Nal.EnumerateAnnexB([0x00, 0x00, 0x02, 0x09, 0xF0])));
        Assert.Equal(MediaFormatError.InvalidNalUnit, error.Error);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Avcc_yields_nal_units_for_every_length_size(int lengthSize)
    {
        byte[][] nals = [[0x09, 0xF0], [0x67, 0x42, 0x00, 0x1E], [0x65, 0x88]];
        var avcc = new List<byte>();
        foreach (var nal in nals)
        {
            var prefix = new byte[lengthSize];
            H264Nal.WriteLength(prefix, nal.Length, lengthSize);
            avcc.AddRange(prefix);
            avcc.AddRange(nal);
        }

        Assert.Equal(nals, Collect(H264Nal.EnumerateAvcc(avcc.ToArray(), lengthSize)));
    }

    [Fact]
    public void Avcc_skips_zero_length_nal_units()
    {
        byte[] avcc = [0, 0, 0, 0, 0, 0, 0, 2, 0x09, 0xF0, 0, 0, 0, 0];

        Assert.Equal(["09f0"], Collect(H264Nal.EnumerateAvcc(avcc, 4)).Select(Convert.ToHexStringLower));
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 5, 0x65, 0x88 })] // length past the end
    [InlineData(new byte[] { 0, 0, 0, 2, 0x09, 0xF0, 0, 0 })] // prefix cut short
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x65 })] // a length that would overflow an int
    public void Avcc_length_past_the_end_is_an_invalid_nal_unit(byte[] avcc)
    {
        var error = Assert.Throws<MediaFormatException>(() => Collect(H264Nal.EnumerateAvcc(avcc, 4)));

        Assert.Equal(MediaFormatError.InvalidNalUnit, error.Error);
    }

    [Fact]
    public void Avcc_nal_units_are_read_until_the_bad_length_is_reached()
    {
        byte[] avcc = [0, 0, 0, 2, 0x09, 0xF0, 0, 0, 0, 9, 0x65];
        var seen = 0;

        Assert.Throws<MediaFormatException>(() =>
        {
            foreach (var nal in H264Nal.EnumerateAvcc(avcc, 4))
            {
                seen++;
            }
        });
        Assert.Equal(1, seen);
    }

    [Fact]
    public void Length_sizes_other_than_1_2_4_are_programming_errors()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => H264Nal.EnumerateAvcc([], 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => H264Nal.GetAvccSize([], 0));
    }

    [Fact]
    public void Nal_units_too_long_for_the_length_size_are_refused()
    {
        var annexB = new byte[4 + 300];
        annexB[3] = 1;
        annexB[4] = 0x65;
        annexB[^1] = 0x80;

        Assert.Equal(MediaFormatError.InvalidNalUnit, Assert.Throws<MediaFormatException>(() => H264Nal.GetAvccSize(annexB, 1)).Error);
        Assert.Equal(302, H264Nal.GetAvccSize(annexB, 2));
    }

    [Fact]
    public void Conversion_into_a_short_destination_is_a_programming_error()
    {
        byte[] annexB = [0, 0, 1, 0x09, 0xF0];

        Assert.Throws<ArgumentException>(() => H264Nal.AnnexBToAvcc(annexB, new byte[5], 4));
        Assert.Throws<ArgumentException>(() => H264Nal.AvccToAnnexB([0, 0, 0, 2, 0x09, 0xF0], new byte[5], 4));
    }

    [Fact]
    public void Idr_and_parameter_sets_are_found_in_an_access_unit()
    {
        byte[] au = [0, 0, 0, 2, 0x09, 0xF0, 0, 0, 0, 2, 0x67, 0x42, 0, 0, 0, 2, 0x68, 0xCE, 0, 0, 0, 2, 0x65, 0x88];
        byte[] nonIdr = [0, 0, 0, 2, 0x09, 0xF0, 0, 0, 0, 2, 0x41, 0x9A];

        Assert.True(H264Nal.ContainsIdr(au, 4));
        Assert.False(H264Nal.ContainsIdr(nonIdr, 4));
        Assert.True(H264Nal.TryFindParameterSets(au, 4, out var sps, out var pps));
        Assert.Equal([0x67, 0x42], sps.ToArray());
        Assert.Equal([0x68, 0xCE], pps.ToArray());
        Assert.False(H264Nal.TryFindParameterSets(nonIdr, 4, out sps, out pps));
        Assert.True(sps.IsEmpty && pps.IsEmpty);
    }

    [Fact]
    public void Nal_header_fields_are_read_from_the_first_byte()
    {
        Assert.Equal(NalUnitType.Idr, H264Nal.TypeOf([0x65]));
        Assert.Equal(3, H264Nal.RefIdcOf([0x65]));
        Assert.Equal(NalUnitType.Sei, H264Nal.TypeOf([0x06]));
        Assert.Equal(0, H264Nal.RefIdcOf([0x06]));
        Assert.Equal(MediaFormatError.InvalidNalUnit, Assert.Throws<MediaFormatException>(() => H264Nal.TypeOf([])).Error);
    }

    [Fact]
    public void Random_bytes_never_escape_as_anything_but_media_format_errors()
    {
        var random = new Random(20240601);
        var buffer = new byte[64];
        for (var i = 0; i < 5000; i++)
        {
            var data = buffer.AsSpan(0, random.Next(buffer.Length + 1));
            random.NextBytes(data);
            if (i % 2 == 0)
            {
                // Bias towards zero bytes so start codes and small lengths are common.
                foreach (ref var b in data)
                {
                    b = b < 160 ? (byte)0 : b < 200 ? (byte)1 : b;
                }
            }

            foreach (var lengthSize in (int[])[1, 2, 4])
            {
                TryWalk(data, lengthSize);
            }
        }
    }

    private static void TryWalk(ReadOnlySpan<byte> data, int lengthSize)
    {
        try
        {
            foreach (var nal in H264Nal.EnumerateAvcc(data, lengthSize))
            {
                Assert.False(nal.IsEmpty);
            }
        }
        catch (MediaFormatException e)
        {
            Assert.Equal(MediaFormatError.InvalidNalUnit, e.Error);
        }

        try
        {
            var size = H264Nal.GetAvccSize(data, lengthSize);
            var avcc = new byte[size];
            Assert.Equal(size, H264Nal.AnnexBToAvcc(data, avcc, lengthSize));
            var back = new byte[H264Nal.GetAnnexBSize(avcc, lengthSize)];
            H264Nal.AvccToAnnexB(avcc, back, lengthSize);
            Assert.Equal(Collect(H264Nal.EnumerateAnnexB(data)), Collect(H264Nal.EnumerateAnnexB(back)));
        }
        catch (MediaFormatException e)
        {
            Assert.Equal(MediaFormatError.InvalidNalUnit, e.Error);
        }
    }

    internal static List<byte[]> Collect(AnnexBEnumerator e)
    {
        var list = new List<byte[]>();
        foreach (var nal in e)
        {
            list.Add(nal.ToArray());
        }

        return list;
    }

    internal static List<byte[]> Collect(AvccEnumerator e)
    {
        var list = new List<byte[]>();
        foreach (var nal in e)
        {
            list.Add(nal.ToArray());
        }

        return list;
    }
}
