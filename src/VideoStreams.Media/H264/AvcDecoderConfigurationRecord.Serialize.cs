using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace VideoStreams.Media.H264;

public sealed partial class AvcDecoderConfigurationRecord
{
    private const int MaxSequenceParameterSets = 31;
    private const int MaxPictureParameterSets = 255;

    /// <summary>Parses a record (an <c>avcC</c> payload or Matroska CodecPrivate). The input is copied.</summary>
    /// <exception cref="MediaFormatException">
    /// <see cref="MediaFormatError.InvalidAvcConfig"/>: cut short, not version 1, a 3-byte length size, or a parameter
    /// set that is empty, runs past the end, or has the wrong NAL unit type. A malformed High-profile extension is
    /// ignored (as if absent), since many writers get it wrong and decoders do not need it.
    /// </exception>
    public static AvcDecoderConfigurationRecord Parse(ReadOnlySpan<byte> data)
    {
        if (data.Length < 7)
        {
            ThrowInvalid("avcC shorter than its fixed header", data.Length);
        }

        if (data[0] != 1)
        {
            ThrowInvalid($"unsupported avcC configurationVersion {data[0]}", 0);
        }

        var lengthSize = (data[4] & 3) + 1;
        if (lengthSize == 3)
        {
            ThrowInvalid("NAL length size 3 is not allowed", 4);
        }

        // One copy for the whole record; the parameter sets are slices of it.
        var copy = data.ToArray();
        var offset = 5;
        var sps = ReadList(copy, ref offset, copy[offset++] & 0x1F, NalUnitType.Sps, strict: true)!;
        if (offset >= copy.Length)
        {
            ThrowInvalid("avcC ends before numOfPictureParameterSets", offset);
        }

        var pps = ReadList(copy, ref offset, copy[offset++], NalUnitType.Pps, strict: true)!;
        var profile = copy[1];
        if (ProfileHasExtension(profile) && copy.Length - offset >= 4)
        {
            var extOffset = offset + 4;
            var ext = ReadList(copy, ref extOffset, copy[offset + 3], NalUnitType.SpsExtension, strict: false);
            if (ext is not null)
            {
                return new AvcDecoderConfigurationRecord(profile, copy[2], copy[3], lengthSize, sps, pps)
                {
                    HasExtension = true,
                    ChromaFormat = copy[offset] & 3,
                    BitDepthLuma = 8 + (copy[offset + 1] & 7),
                    BitDepthChroma = 8 + (copy[offset + 2] & 7),
                    SequenceParameterSetExtensions = ext,
                };
            }
        }

        return new AvcDecoderConfigurationRecord(profile, copy[2], copy[3], lengthSize, sps, pps);
    }

    /// <summary>Builds a record from one SPS and one PPS NAL unit (headers included, as sent).</summary>
    /// <exception cref="MediaFormatException">The SPS or PPS does not parse.</exception>
    public static AvcDecoderConfigurationRecord Create(ReadOnlySpan<byte> sps, ReadOnlySpan<byte> pps, int nalLengthSize = 4) =>
        Create([sps.ToArray()], [pps.ToArray()], nalLengthSize);

    /// <summary>
    /// Builds a record from SPS and PPS NAL units (headers included, as sent). Profile, compatibility and level come
    /// from the first SPS; the High-profile extension is written for profiles other than 66, 77 and 88.
    /// </summary>
    /// <exception cref="MediaFormatException">An SPS or PPS does not parse.</exception>
    /// <exception cref="ArgumentException">No SPS, more than 31 SPS or 255 PPS, or a parameter set over 65 535 bytes.</exception>
    public static AvcDecoderConfigurationRecord Create(
        IReadOnlyList<ReadOnlyMemory<byte>> sequenceParameterSets,
        IReadOnlyList<ReadOnlyMemory<byte>> pictureParameterSets,
        int nalLengthSize = 4)
    {
        H264Nal.ValidateLengthSize(nalLengthSize);
        if (sequenceParameterSets.Count is 0 or > MaxSequenceParameterSets)
        {
            throw new ArgumentException("an avcC holds 1 to 31 SPS", nameof(sequenceParameterSets));
        }

        if (pictureParameterSets.Count > MaxPictureParameterSets)
        {
            throw new ArgumentException("an avcC holds at most 255 PPS", nameof(pictureParameterSets));
        }

        var spsArray = CopyChecked(sequenceParameterSets, nameof(sequenceParameterSets));
        var ppsArray = CopyChecked(pictureParameterSets, nameof(pictureParameterSets));
        var first = SequenceParameterSet.Parse(spsArray[0].Span);
        for (var i = 1; i < spsArray.Length; i++)
        {
            SequenceParameterSet.Parse(spsArray[i].Span);
        }

        foreach (var p in ppsArray)
        {
            PictureParameterSet.Parse(p.Span);
        }

        return ProfileHasExtension(first.ProfileIdc)
            ? new AvcDecoderConfigurationRecord(first.ProfileIdc, first.ConstraintFlags, first.LevelIdc, nalLengthSize, spsArray, ppsArray)
            {
                HasExtension = true,
                ChromaFormat = first.ChromaFormatIdc,
                BitDepthLuma = first.BitDepthLuma,
                BitDepthChroma = first.BitDepthChroma,
            }
            : new AvcDecoderConfigurationRecord(first.ProfileIdc, first.ConstraintFlags, first.LevelIdc, nalLengthSize, spsArray, ppsArray);
    }

    /// <summary>Bytes <see cref="WriteTo"/> writes.</summary>
    public int Size
    {
        get
        {
            var size = 7;
            foreach (var nal in SequenceParameterSets)
            {
                size += 2 + nal.Length;
            }

            foreach (var nal in PictureParameterSets)
            {
                size += 2 + nal.Length;
            }

            if (HasExtension)
            {
                size += 4;
                foreach (var nal in SequenceParameterSetExtensions)
                {
                    size += 2 + nal.Length;
                }
            }

            return size;
        }
    }

    /// <summary>Serialises the record (reserved bits set to one, as the standard requires).</summary>
    /// <returns>Bytes written (<see cref="Size"/>).</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="Size"/>.</exception>
    public int WriteTo(Span<byte> destination)
    {
        var size = Size;
        if (destination.Length < size)
        {
            throw new ArgumentException("destination is too short; size it with Size", nameof(destination));
        }

        destination[0] = 1;
        destination[1] = ProfileIndication;
        destination[2] = ProfileCompatibility;
        destination[3] = LevelIndication;
        destination[4] = (byte)(0xFC | (NalLengthSize - 1));
        destination[5] = (byte)(0xE0 | SequenceParameterSets.Count);
        var offset = WriteList(destination, 6, SequenceParameterSets);
        destination[offset++] = (byte)PictureParameterSets.Count;
        offset = WriteList(destination, offset, PictureParameterSets);
        if (HasExtension)
        {
            destination[offset++] = (byte)(0xFC | ChromaFormat);
            destination[offset++] = (byte)(0xF8 | (BitDepthLuma - 8));
            destination[offset++] = (byte)(0xF8 | (BitDepthChroma - 8));
            destination[offset++] = (byte)SequenceParameterSetExtensions.Count;
            offset = WriteList(destination, offset, SequenceParameterSetExtensions);
        }

        return offset;
    }

    /// <summary>The serialised record as a new array.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>Reads <paramref name="count"/> length-prefixed NAL units; null when not strict and malformed.</summary>
    private static ReadOnlyMemory<byte>[]? ReadList(byte[] data, ref int offset, int count, NalUnitType type, bool strict)
    {
        var list = new ReadOnlyMemory<byte>[count];
        for (var i = 0; i < count; i++)
        {
            if (data.Length - offset < 2)
            {
                return strict ? ThrowInvalid<ReadOnlyMemory<byte>[]>($"avcC ends inside its {type} list", offset) : null;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset));
            var start = offset + 2;
            if (length == 0 || length > data.Length - start || (data[start] & 0x1F) != (int)type)
            {
                return strict ? ThrowInvalid<ReadOnlyMemory<byte>[]>($"malformed {type} entry in avcC", offset) : null;
            }

            list[i] = data.AsMemory(start, length);
            offset = start + length;
        }

        return list;
    }

    private static int WriteList(Span<byte> destination, int offset, IReadOnlyList<ReadOnlyMemory<byte>> list)
    {
        foreach (var nal in list)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], (ushort)nal.Length);
            nal.Span.CopyTo(destination[(offset + 2)..]);
            offset += 2 + nal.Length;
        }

        return offset;
    }

    private static ReadOnlyMemory<byte>[] CopyChecked(IReadOnlyList<ReadOnlyMemory<byte>> list, string name)
    {
        var copy = new ReadOnlyMemory<byte>[list.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            if (list[i].Length is 0 or > ushort.MaxValue)
            {
                throw new ArgumentException("parameter sets must be 1 to 65 535 bytes", name);
            }

            copy[i] = list[i].ToArray();
        }

        return copy;
    }

    [DoesNotReturn]
    private static void ThrowInvalid(string message, long offset) =>
        ThrowHelper.Throw(MediaFormatError.InvalidAvcConfig, message, offset);

    [DoesNotReturn]
    private static T ThrowInvalid<T>(string message, long offset) =>
        ThrowHelper.Throw<T>(MediaFormatError.InvalidAvcConfig, message, offset);
}
