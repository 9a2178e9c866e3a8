using System.Text;

namespace VideoStreams.Media.Tests.Mp4;

/// <summary>Expands a <c>trak</c>'s sample tables (stts, ctts, stss, stsz, stsc, stco/co64) into one row per sample.</summary>
internal static class TrackReader
{
    public static ParsedTrack Read(Mp4Box trak)
    {
        var track = new ParsedTrack();
        ReadHeaders(trak, track);
        var stbl = trak.Get("mdia/minf/stbl");
        foreach (var entry in stbl.Get("stsd").SampleEntries())
        {
            track.Descriptions.Add(ParsedMp4.ReadSampleEntry(entry));
        }

        var durations = new List<uint>();
        var r = new PayloadReader(stbl.Get("stts").Payload.Span);
        r.Skip(4);
        for (var n = r.U32(); n > 0; n--)
        {
            var count = r.U32();
            var delta = r.U32();
            durations.AddRange(Enumerable.Repeat(delta, (int)count));
        }

        var stsz = new PayloadReader(stbl.Get("stsz").Payload.Span);
        stsz.Skip(4);
        track.StszConstantSize = stsz.U32();
        var sampleCount = (int)stsz.U32();
        var sizes = new int[sampleCount];
        for (var i = 0; i < sampleCount; i++)
        {
            sizes[i] = track.StszConstantSize != 0 ? (int)track.StszConstantSize : (int)stsz.U32();
        }

        var offsets = new int[sampleCount];
        if (stbl.Find("ctts") is { } ctts)
        {
            track.CttsVersion = ctts.Version;
            r = new PayloadReader(ctts.Payload.Span);
            r.Skip(4);
            var i = 0;
            for (var n = r.U32(); n > 0; n--)
            {
                var count = r.U32();
                var offset = r.I32();
                for (var k = 0; k < count; k++)
                {
                    offsets[i++] = offset;
                }
            }
        }

        if (stbl.Find("cslg") is { } cslg)
        {
            r = new PayloadReader(cslg.Payload.Span);
            var wide = r.U8() == 1;
            r.Skip(3);
            track.Cslg = new long[5];
            for (var k = 0; k < 5; k++)
            {
                track.Cslg[k] = wide ? (long)r.U64() : r.I32();
            }
        }

        var sync = new bool[sampleCount];
        if (stbl.Find("stss") is { } stss)
        {
            track.HasStss = true;
            r = new PayloadReader(stss.Payload.Span);
            r.Skip(4);
            for (var n = r.U32(); n > 0; n--)
            {
                sync[r.U32() - 1] = true;
            }
        }
        else
        {
            Array.Fill(sync, true);
        }

        r = new PayloadReader(stbl.Get("stsc").Payload.Span);
        r.Skip(4);
        for (var n = r.U32(); n > 0; n--)
        {
            track.Stsc.Add(new StscEntry(r.U32(), r.U32(), r.U32()));
        }

        var co = stbl.Find("stco") ?? stbl.Get("co64");
        track.ChunkOffsetBox = co.Type;
        r = new PayloadReader(co.Payload.Span);
        r.Skip(4);
        for (var n = r.U32(); n > 0; n--)
        {
            track.ChunkOffsets.Add((long)r.U32Or64(co.Type == "co64"));
        }

        long dts = 0;
        var sample = 0;
        for (var c = 0; c < track.ChunkOffsets.Count; c++)
        {
            var entry = track.Stsc.Last(e => e.FirstChunk <= c + 1);
            var position = track.ChunkOffsets[c];
            for (var k = 0; k < entry.SamplesPerChunk && sample < sampleCount; k++, sample++)
            {
                track.Samples.Add(new ParsedSample(dts, durations[sample], offsets[sample], sizes[sample], sync[sample], position, (int)entry.DescriptionIndex - 1));
                position += sizes[sample];
                dts += durations[sample];
            }
        }

        if (sample != sampleCount || durations.Count != sampleCount)
        {
            throw new InvalidDataException($"track {track.TrackId}: chunks hold {sample} samples, stsz {sampleCount}, stts {durations.Count}");
        }

        return track;
    }

    private static void ReadHeaders(Mp4Box trak, ParsedTrack track)
    {
        var tkhd = trak.Get("tkhd");
        track.TkhdFlags = tkhd.Flags;
        var r = new PayloadReader(tkhd.Payload.Span);
        var wide = r.U8() == 1;
        r.Skip(3);
        r.U32Or64(wide);
        r.U32Or64(wide);
        track.TrackId = r.U32();
        r.U32();
        track.TrackDuration = r.U32Or64(wide);
        r.Skip(12);
        track.Volume = r.U16();
        r.Skip(2 + 36);
        track.Width = r.U32() / 65536.0;
        track.Height = r.U32() / 65536.0;

        var mdhd = trak.Get("mdia/mdhd");
        r = new PayloadReader(mdhd.Payload.Span);
        wide = r.U8() == 1;
        r.Skip(3);
        r.U32Or64(wide);
        r.U32Or64(wide);
        track.Timescale = r.U32();
        track.MediaDuration = r.U32Or64(wide);
        var lang = r.U16();
        track.Language = new string([(char)(((lang >> 10) & 0x1F) + 0x60), (char)(((lang >> 5) & 0x1F) + 0x60), (char)((lang & 0x1F) + 0x60)]);

        r = new PayloadReader(trak.Get("mdia/hdlr").Payload.Span);
        r.Skip(8);
        track.Handler = Encoding.ASCII.GetString(r.Bytes(4));

        if (trak.Find("edts/elst") is { } elst)
        {
            r = new PayloadReader(elst.Payload.Span);
            wide = r.U8() == 1;
            r.Skip(3);
            for (var n = r.U32(); n > 0; n--)
            {
                var duration = (long)r.U32Or64(wide);
                var mediaTime = wide ? (long)r.U64() : r.I32();
                r.U32();
                track.Edits.Add(new EditEntry(duration, mediaTime));
            }
        }
    }
}
