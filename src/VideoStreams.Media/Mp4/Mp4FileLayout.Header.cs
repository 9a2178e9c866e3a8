namespace VideoStreams.Media.Mp4;

public sealed partial class Mp4FileLayout
{
    /// <summary>Sizes the header exactly, settles stco vs co64, assigns chunk offsets, then writes the header once.</summary>
    private static class HeaderBuilder
    {
        public static byte[] Build(
            IReadOnlyList<Mp4Track> tracks,
            ReadOnlyMemory<Mp4Sample>[] samples,
            Mp4Chunk[] chunks,
            int[][] trackChunks,
            out long fileSize,
            out bool usesCo64)
        {
            var plans = new TrackPlan[tracks.Count];
            ulong movieDuration = 0;
            var negativeOffsets = false;
            var hasVideo = false;
            uint nextTrackId = 1;
            for (var t = 0; t < tracks.Count; t++)
            {
                plans[t] = TrackPlan.Analyze(tracks[t], samples[t].Span, chunks, trackChunks[t]);
                movieDuration = Math.Max(movieDuration, plans[t].TrackMilliseconds);
                negativeOffsets |= plans[t].NegativeOffsets;
                hasVideo |= tracks[t].Kind == Mp4TrackKind.Video;
                nextTrackId = Math.Max(nextTrackId, tracks[t].TrackId + 1);
            }

            // iso4 announces version-1 ctts (signed composition offsets) and cslg.
            Span<byte> brands = stackalloc byte[16];
            "isom"u8.CopyTo(brands);
            (negativeOffsets ? "iso4"u8 : "iso2"u8).CopyTo(brands[4..]);
            var brandsLength = 8;
            if (hasVideo)
            {
                "avc1"u8.CopyTo(brands[brandsLength..]);
                brandsLength += 4;
            }

            "mp41"u8.CopyTo(brands[brandsLength..]);
            brands = brands[..(brandsLength + 4)];

            long payload = 0;
            foreach (var c in chunks)
            {
                payload += c.Size;
            }

            var mdatHeader = BoxWriter.MdatHeaderSize(payload);
            var prefix = Mp4Boxes.SizeOfFtyp(brands.Length);
            var headerSize = prefix + MoovSize(plans, movieDuration, co64: false) + mdatHeader;
            var lastChunkOffset = chunks.Length == 0 ? 0 : headerSize + payload - chunks[^1].Size;
            usesCo64 = lastChunkOffset > uint.MaxValue;
            if (usesCo64)
            {
                headerSize = prefix + MoovSize(plans, movieDuration, co64: true) + mdatHeader;
            }

            if (headerSize > Array.MaxLength)
            {
                ThrowHelper.Throw(MediaFormatError.InvalidValue, "The sample tables would exceed 2 GiB.");
            }

            var offset = headerSize;
            for (var i = 0; i < chunks.Length; i++)
            {
                chunks[i] = chunks[i] with { FileOffset = offset };
                offset += chunks[i].Size;
            }

            fileSize = offset;
            var header = new byte[headerSize];
            var w = new BoxWriter(header);
            Mp4Boxes.WriteFtyp(ref w, "isom"u8, 0x200, brands);
            var moov = w.StartBox("moov"u8);
            Mp4Boxes.WriteMvhd(ref w, Mp4Boxes.MovieTimescale, movieDuration, nextTrackId);
            for (var t = 0; t < plans.Length; t++)
            {
                WriteTrak(ref w, plans[t], samples[t].Span, chunks, usesCo64);
            }

            w.EndBox(moov);
            w.WriteMdatHeader(payload);
            if (w.Position != header.Length)
            {
                throw new InvalidOperationException($"MP4 header sizing is off: planned {header.Length} bytes, wrote {w.Position}.");
            }

            return header;
        }

        private static long MoovSize(TrackPlan[] plans, ulong movieDuration, bool co64)
        {
            long size = 8 + (Mp4Boxes.NeedsVersion1(movieDuration) ? Mp4Boxes.MvhdSizeV1 : Mp4Boxes.MvhdSizeV0);
            foreach (var plan in plans)
            {
                size += plan.TrakSize(co64);
            }

            return size;
        }

        private static void WriteTrak(ref BoxWriter w, TrackPlan plan, ReadOnlySpan<Mp4Sample> samples, Mp4Chunk[] chunks, bool co64)
        {
            var track = plan.Track;
            var trak = w.StartBox("trak"u8);
            Mp4Boxes.WriteTkhd(ref w, track, plan.TrackMilliseconds, plan.Width, plan.Height);
            if (plan.HasEditList)
            {
                WriteEdts(ref w, plan);
            }

            var mdia = w.StartBox("mdia"u8);
            Mp4Boxes.WriteMdhd(ref w, track.Timescale, plan.MediaDuration, track.Language);
            Mp4Boxes.WriteHdlr(ref w, track.Kind);
            var minf = w.StartBox("minf"u8);
            Mp4Boxes.WriteMediaHeaderAndDinf(ref w, track.Kind);
            SampleTables.Write(ref w, plan, samples, chunks, co64);
            w.EndBox(minf);
            w.EndBox(mdia);
            w.EndBox(trak);
        }

        /// <summary>An empty edit for the presentation delay, then the whole media from its time 0 at normal rate.</summary>
        private static void WriteEdts(ref BoxWriter w, TrackPlan plan)
        {
            var wide = plan.ElstWide;
            var edts = w.StartBox("edts"u8);
            var elst = w.StartFullBox("elst"u8, wide ? (byte)1 : (byte)0, 0);
            w.WriteUInt32(2);
            w.WriteUInt32Or64((ulong)plan.Track.PresentationDelayMilliseconds, wide);
            w.WriteUInt32Or64(wide ? ulong.MaxValue : uint.MaxValue, wide); // media_time -1: empty edit
            w.WriteUInt32(0x00010000); // media_rate 1.0
            w.WriteUInt32Or64(plan.MediaMilliseconds, wide);
            w.WriteUInt32Or64(0, wide);
            w.WriteUInt32(0x00010000);
            w.EndBox(elst);
            w.EndBox(edts);
        }
    }
}
