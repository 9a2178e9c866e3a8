namespace VideoStreams.Media.Tests.Mp4;

internal sealed record FragmentSample(uint TrackId, long DecodeTime, uint Duration, int CompositionOffset, int Size, uint Flags, long Offset)
{
    public bool IsSync => (Flags & 0x00010000) == 0;
}

internal sealed record ParsedTraf(uint TrackId, uint TfhdFlags, long BaseMediaDecodeTime, int TrunVersion, uint TrunFlags, List<FragmentSample> Samples);

internal sealed record ParsedFragment(uint SequenceNumber, long MoofOffset, long MdatPayloadOffset, long MdatPayloadSize, List<ParsedTraf> Trafs);

/// <summary>Reads <c>moof</c> + <c>mdat</c> pairs the way a default-base-is-moof reader does.</summary>
internal static class FragmentReader
{
    public static List<ParsedFragment> Read(ReadOnlyMemory<byte> data)
    {
        var boxes = Mp4Box.ParseAll(data);
        var fragments = new List<ParsedFragment>();
        for (var i = 0; i < boxes.Count; i++)
        {
            if (boxes[i].Type != "moof")
            {
                continue;
            }

            var moof = boxes[i];
            var mdat = boxes[i + 1];
            if (mdat.Type != "mdat")
            {
                throw new InvalidDataException("moof not followed by mdat");
            }

            var mfhd = new PayloadReader(moof.Get("mfhd").Payload.Span);
            mfhd.Skip(4);
            var sequence = mfhd.U32();
            var trafs = moof.All("traf").Select(t => ReadTraf(t, moof.Offset)).ToList();
            fragments.Add(new ParsedFragment(sequence, moof.Offset, mdat.Offset + mdat.HeaderSize, mdat.Size - mdat.HeaderSize, trafs));
        }

        return fragments;
    }

    private static ParsedTraf ReadTraf(Mp4Box traf, long moofOffset)
    {
        var tfhdBox = traf.Get("tfhd");
        var r = new PayloadReader(tfhdBox.Payload.Span);
        r.Skip(4);
        var trackId = r.U32();
        var tfhdFlags = tfhdBox.Flags;
        if ((tfhdFlags & 0x01) != 0)
        {
            throw new InvalidDataException("base-data-offset is not expected");
        }

        if ((tfhdFlags & 0x02) != 0)
        {
            r.U32();
        }

        uint defaultDuration = (tfhdFlags & 0x08) != 0 ? r.U32() : 0;
        uint defaultSize = (tfhdFlags & 0x10) != 0 ? r.U32() : 0;
        uint defaultFlags = (tfhdFlags & 0x20) != 0 ? r.U32() : 0;

        var tfdt = traf.Get("tfdt");
        r = new PayloadReader(tfdt.Payload.Span);
        r.Skip(4);
        var baseTime = (long)r.U32Or64(tfdt.Version == 1);

        var trun = traf.Get("trun");
        r = new PayloadReader(trun.Payload.Span);
        r.Skip(4);
        var flags = trun.Flags;
        var count = r.U32();
        var dataOffset = (flags & 0x001) != 0 ? r.I32() : throw new InvalidDataException("trun without data offset");
        uint? firstFlags = (flags & 0x004) != 0 ? r.U32() : null;
        var samples = new List<FragmentSample>();
        long position = moofOffset + dataOffset, dts = baseTime;
        for (var i = 0; i < count; i++)
        {
            var duration = (flags & 0x100) != 0 ? r.U32() : defaultDuration;
            var size = (flags & 0x200) != 0 ? (int)r.U32() : (int)defaultSize;
            var sampleFlags = (flags & 0x400) != 0 ? r.U32() : i == 0 && firstFlags is { } f ? f : defaultFlags;
            var cto = (flags & 0x800) != 0 ? r.I32() : 0;
            samples.Add(new FragmentSample(trackId, dts, duration, cto, size, sampleFlags, position));
            position += size;
            dts += duration;
        }

        if (r.Remaining != 0)
        {
            throw new InvalidDataException("trun has trailing bytes");
        }

        return new ParsedTraf(trackId, tfhdFlags, baseTime, trun.Version, flags, samples);
    }
}
