using VideoStreams.Media.Bits;
using VideoStreams.Media.H264;
using VideoStreams.TestSupport;

namespace VideoStreams.Media.Tests.H264;

/// <summary>
/// x264 signals custom matrices in the PPS, so no encoder at hand writes SPS scaling lists. Instead we splice flat
/// lists (all 16, which decode exactly like no lists) into a real High-profile SPS: FFmpeg must decode the spliced
/// stream to the same pictures, and our parser must still find the right size behind the lists.
/// </summary>
[Collection(EncodedVariantsCollection.Name)]
public sealed class ScalingListSpliceTests(EncodedVariants variants)
{
    [Fact]
    public async Task Sps_with_scaling_lists_is_parsed_past_them_as_ffmpeg_decodes_it()
    {
        var variant = variants["high-200x200-sar3-7"];
        using var folder = new TempFolder();
        var spliced = folder.File("spliced.h264");
        var original = variant.AnnexBPath;

        var output = new MemoryStream();
        byte[]? newSps = null;
        foreach (var nal in H264Nal.EnumerateAnnexB(variant.AnnexB))
        {
            output.Write([0, 0, 0, 1]);
            if (H264Nal.TypeOf(nal) == NalUnitType.Sps)
            {
                newSps = SpliceFlatScalingLists(nal);
                output.Write(newSps);
            }
            else
            {
                output.Write(nal);
            }
        }

        await File.WriteAllBytesAsync(spliced, output.ToArray());
        Assert.NotNull(newSps);

        var sps = SequenceParameterSet.Parse(newSps);
        var before = SequenceParameterSet.Parse(AvcDecoderConfigurationRecord.Parse(variant.AvcC).SequenceParameterSets[0].Span);
        var facts = await FfprobeFacts.StreamAsync(spliced, "v:0");
        Assert.True(sps.HasScalingMatrix);
        Assert.Equal((facts.Width, facts.Height), (sps.Width, sps.Height));
        Assert.Equal((before.FrameRate, before.MaxNumReorderFrames, before.SarWidth), (sps.FrameRate, sps.MaxNumReorderFrames, sps.SarWidth));
        Assert.Equal(await FrameHashesAsync(original), await FrameHashesAsync(spliced));
    }

    private static byte[] SpliceFlatScalingLists(ReadOnlySpan<byte> nal)
    {
        var rbsp = new byte[nal.Length];
        var length = H264Rbsp.Unescape(nal[1..], rbsp);
        var reader = new BitReader(rbsp.AsSpan(0, length));
        reader.Skip(24);
        reader.ReadUe(); // seq_parameter_set_id
        Assert.Equal(1u, reader.ReadUe()); // chroma_format_idc: 4:2:0, so 8 lists and no separate-plane flag
        reader.ReadUe();
        reader.ReadUe();
        reader.Skip(1); // transform bypass
        var flagAt = reader.BitPosition;
        Assert.Equal(0u, reader.ReadBit());

        var bits = new byte[length + 256];
        var writer = new BitWriter(bits);
        var source = new BitReader(rbsp.AsSpan(0, length));
        for (var i = 0; i < flagAt; i++)
        {
            writer.WriteBit(source.ReadFlag());
        }

        source.Skip(1);
        writer.WriteBit(true); // seq_scaling_matrix_present_flag
        for (var list = 0; list < 8; list++)
        {
            writer.WriteBit(true); // list present
            writer.WriteSe(8); // 8 -> 16
            for (var j = 1; j < (list < 6 ? 16 : 64); j++)
            {
                writer.WriteSe(0);
            }
        }

        // The rest of the original, up to (not including) its rbsp_trailing_bits.
        var trailing = System.Numerics.BitOperations.TrailingZeroCount((uint)rbsp[length - 1]) + 1;
        while (source.BitsRemaining > trailing)
        {
            writer.WriteBit(source.ReadFlag());
        }

        writer.WriteTrailingBits();
        return SpsBuilder.ToNal(bits.AsSpan(0, writer.BytesWritten), nal[0]);
    }

    private static async Task<string[]> FrameHashesAsync(string path)
    {
        var r = await ToolRunner.RunAsync("ffmpeg", "-nostdin", "-v", "error", "-i", path, "-f", "framemd5", "-");
        r.EnsureSuccess("framemd5 " + path);
        var lines = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).ToArray();
        Assert.NotEmpty(lines);
        Assert.Empty(r.StdErr.Trim());
        return lines;
    }
}
