namespace VideoStreams.Media.Mp4;

public sealed partial class Mp4FileLayout
{
    /// <summary>The <c>stbl</c> of a progressive track; box sizes match <see cref="TrackPlan.StblSize"/>.</summary>
    private static class SampleTables
    {
        public static void Write(ref BoxWriter w, TrackPlan plan, ReadOnlySpan<Mp4Sample> samples, Mp4Chunk[] chunks, bool co64)
        {
            var stbl = w.StartBox("stbl"u8);

            var stsd = w.StartFullBox("stsd"u8, 0, 0);
            w.WriteUInt32((uint)plan.Track.SampleDescriptions.Count);
            foreach (var d in plan.Track.SampleDescriptions)
            {
                Mp4Boxes.WriteSampleEntry(ref w, d);
            }

            w.EndBox(stsd);
            WriteStts(ref w, plan, samples);
            if (plan.HasOffsets)
            {
                WriteCtts(ref w, plan, samples);
            }

            if (plan.NegativeOffsets)
            {
                WriteCslg(ref w, plan);
            }

            if (!plan.AllSync)
            {
                var stss = w.StartFullBox("stss"u8, 0, 0);
                w.WriteUInt32((uint)plan.SyncCount);
                for (var i = 0; i < samples.Length; i++)
                {
                    if (samples[i].IsSync)
                    {
                        w.WriteUInt32((uint)i + 1);
                    }
                }

                w.EndBox(stss);
            }

            WriteStsc(ref w, plan, samples, chunks);

            var stsz = w.StartFullBox("stsz"u8, 0, 0);
            w.WriteUInt32((uint)plan.ConstantSize);
            w.WriteUInt32((uint)samples.Length);
            if (plan.ConstantSize == 0)
            {
                foreach (ref readonly var s in samples)
                {
                    w.WriteUInt32((uint)s.Size);
                }
            }

            w.EndBox(stsz);

            var offsets = w.StartFullBox(co64 ? "co64"u8 : "stco"u8, 0, 0);
            w.WriteUInt32((uint)plan.ChunkIndices.Length);
            foreach (var index in plan.ChunkIndices)
            {
                w.WriteUInt32Or64((ulong)chunks[index].FileOffset, co64);
            }

            w.EndBox(offsets);
            w.EndBox(stbl);
        }

        private static void WriteStts(ref BoxWriter w, TrackPlan plan, ReadOnlySpan<Mp4Sample> samples)
        {
            var box = w.StartFullBox("stts"u8, 0, 0);
            w.WriteUInt32((uint)plan.SttsEntries);
            var run = 0;
            for (var i = 0; i < samples.Length; i++)
            {
                run++;
                if (i + 1 == samples.Length || samples[i + 1].Duration != samples[i].Duration)
                {
                    w.WriteUInt32((uint)run);
                    w.WriteUInt32(samples[i].Duration);
                    run = 0;
                }
            }

            w.EndBox(box);
        }

        /// <summary>Version 1 (signed offsets) only when an offset is negative; the bits are the same either way.</summary>
        private static void WriteCtts(ref BoxWriter w, TrackPlan plan, ReadOnlySpan<Mp4Sample> samples)
        {
            var box = w.StartFullBox("ctts"u8, plan.NegativeOffsets ? (byte)1 : (byte)0, 0);
            w.WriteUInt32((uint)plan.CttsEntries);
            var run = 0;
            for (var i = 0; i < samples.Length; i++)
            {
                run++;
                if (i + 1 == samples.Length || samples[i + 1].CompositionOffset != samples[i].CompositionOffset)
                {
                    w.WriteUInt32((uint)run);
                    w.WriteInt32(samples[i].CompositionOffset);
                    run = 0;
                }
            }

            w.EndBox(box);
        }

        /// <summary>
        /// <c>cslg</c> tells readers how far composition times reach below decode times, so they can shift decode
        /// times once instead of scanning ctts (QuickTime relies on it with signed offsets).
        /// </summary>
        private static void WriteCslg(ref BoxWriter w, TrackPlan plan)
        {
            var wide = plan.CslgWide;
            var box = w.StartFullBox("cslg"u8, wide ? (byte)1 : (byte)0, 0);
            long shift = Math.Max(0, -(long)plan.MinOffset);
            ReadOnlySpan<long> values = [shift, plan.MinOffset, plan.MaxOffset, plan.CompositionStart, plan.CompositionEnd];
            foreach (var v in values)
            {
                if (wide)
                {
                    w.WriteInt64(v);
                }
                else
                {
                    w.WriteInt32((int)v);
                }
            }

            w.EndBox(box);
        }

        private static void WriteStsc(ref BoxWriter w, TrackPlan plan, ReadOnlySpan<Mp4Sample> samples, Mp4Chunk[] chunks)
        {
            var box = w.StartFullBox("stsc"u8, 0, 0);
            w.WriteUInt32((uint)plan.StscEntries);
            int previousCount = -1, previousDescription = -1;
            for (var k = 0; k < plan.ChunkIndices.Length; k++)
            {
                var chunk = chunks[plan.ChunkIndices[k]];
                var description = samples[chunk.FirstSample].DescriptionIndex;
                if (chunk.SampleCount != previousCount || description != previousDescription)
                {
                    w.WriteUInt32((uint)k + 1);
                    w.WriteUInt32((uint)chunk.SampleCount);
                    w.WriteUInt32((uint)description + 1);
                    previousCount = chunk.SampleCount;
                    previousDescription = description;
                }
            }

            w.EndBox(box);
        }
    }
}
