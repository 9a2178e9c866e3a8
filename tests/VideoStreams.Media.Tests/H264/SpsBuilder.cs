using VideoStreams.Media.Bits;
using VideoStreams.Media.H264;

namespace VideoStreams.Media.Tests.H264;

internal delegate void BitsWriter(ref BitWriter writer);

/// <summary>Writes SPS NAL units field by field (H.264 7.3.2.1.1), for the corners real encoders do not reach.</summary>
internal sealed class SpsBuilder
{
    public byte Profile { get; set; } = 100;
    public byte Constraints { get; set; }
    public byte Level { get; set; } = 31;
    public uint Id { get; set; }
    public uint ChromaFormat { get; set; } = 1;
    public bool SeparateColourPlane { get; set; }
    public uint BitDepthLumaMinus8 { get; set; }
    public uint BitDepthChromaMinus8 { get; set; }
    public bool ScalingLists { get; set; }
    public uint Log2MaxFrameNumMinus4 { get; set; }
    public uint PocType { get; set; }
    public uint Log2MaxPocLsbMinus4 { get; set; } = 2;
    public int OffsetForNonRefPic { get; set; }
    public int OffsetForTopToBottomField { get; set; }
    public int[] RefFrameOffsets { get; set; } = [];
    public uint MaxRefFrames { get; set; } = 1;
    public uint WidthInMbsMinus1 { get; set; } = 39;
    public uint HeightInMapUnitsMinus1 { get; set; } = 22;
    public bool FrameMbsOnly { get; set; } = true;
    public (uint Left, uint Right, uint Top, uint Bottom)? Crop { get; set; }

    /// <summary>Writes the VUI (the flag is set when this is not null).</summary>
    public BitsWriter? Vui { get; set; }

    public byte[] Build()
    {
        Span<byte> rbsp = stackalloc byte[4096];
        var w = new BitWriter(rbsp);
        w.WriteBits(Profile, 8);
        w.WriteBits(Constraints, 8);
        w.WriteBits(Level, 8);
        w.WriteUe(Id);
        if (SequenceParameterSet.HasChromaInfo(Profile))
        {
            w.WriteUe(ChromaFormat);
            if (ChromaFormat == 3)
            {
                w.WriteBit(SeparateColourPlane);
            }

            w.WriteUe(BitDepthLumaMinus8);
            w.WriteUe(BitDepthChromaMinus8);
            w.WriteBit(false);
            w.WriteBit(ScalingLists);
            if (ScalingLists)
            {
                for (var i = 0; i < (ChromaFormat != 3 ? 8 : 12); i++)
                {
                    // Alternate: an explicit list that ends early (delta -8 → nextScale 0), a full one, absent.
                    switch (i % 3)
                    {
                        case 0:
                            w.WriteBit(true);
                            w.WriteSe(-8);
                            break;
                        case 1:
                            w.WriteBit(true);
                            for (var j = 0; j < (i < 6 ? 16 : 64); j++)
                            {
                                w.WriteSe(j % 2 == 0 ? 3 : -2);
                            }

                            break;
                        default:
                            w.WriteBit(false);
                            break;
                    }
                }
            }
        }

        w.WriteUe(Log2MaxFrameNumMinus4);
        w.WriteUe(PocType);
        if (PocType == 0)
        {
            w.WriteUe(Log2MaxPocLsbMinus4);
        }
        else if (PocType == 1)
        {
            w.WriteBit(false);
            w.WriteSe(OffsetForNonRefPic);
            w.WriteSe(OffsetForTopToBottomField);
            w.WriteUe((uint)RefFrameOffsets.Length);
            foreach (var o in RefFrameOffsets)
            {
                w.WriteSe(o);
            }
        }

        w.WriteUe(MaxRefFrames);
        w.WriteBit(false);
        w.WriteUe(WidthInMbsMinus1);
        w.WriteUe(HeightInMapUnitsMinus1);
        w.WriteBit(FrameMbsOnly);
        if (!FrameMbsOnly)
        {
            w.WriteBit(false);
        }

        w.WriteBit(true);
        w.WriteBit(Crop is not null);
        if (Crop is { } c)
        {
            w.WriteUe(c.Left);
            w.WriteUe(c.Right);
            w.WriteUe(c.Top);
            w.WriteUe(c.Bottom);
        }

        w.WriteBit(Vui is not null);
        Vui?.Invoke(ref w);
        w.WriteTrailingBits();
        return ToNal(rbsp[..w.BytesWritten], 0x67);
    }

    public static byte[] ToNal(ReadOnlySpan<byte> rbsp, byte header)
    {
        var nal = new byte[1 + H264Rbsp.GetEscapedSize(rbsp)];
        nal[0] = header;
        H264Rbsp.Escape(rbsp, nal.AsSpan(1));
        return nal;
    }

    /// <summary>A VUI with only timing info (and every other flag clear).</summary>
    public static BitsWriter TimingVui(uint unitsInTick, uint timeScale, bool fixedRate) => (ref BitWriter w) =>
    {
        w.WriteBits(0, 4); // aspect ratio, overscan, video signal, chroma loc
        w.WriteBit(true);
        w.WriteBits(unitsInTick, 32);
        w.WriteBits(timeScale, 32);
        w.WriteBit(fixedRate);
        w.WriteBits(0, 4); // nal hrd, vcl hrd, pic struct, bitstream restriction
    };
}
