namespace VideoStreams.Media.Mp4;

public sealed partial class Mp4FileLayout
{
    /// <summary>
    /// Everything one <c>trak</c> needs that depends on its samples, found in one pass over them, so every box
    /// size is known before writing and the header is written once into an exactly sized array.
    /// </summary>
    private sealed class TrackPlan
    {
        public required Mp4Track Track { get; init; }
        public required int[] ChunkIndices { get; init; }
        public int SampleCount { get; private set; }
        public ulong MediaDuration { get; private set; }
        public ulong MediaMilliseconds { get; private set; }
        public ulong TrackMilliseconds { get; private set; }
        public int SttsEntries { get; private set; }
        public int CttsEntries { get; private set; }
        public bool HasOffsets { get; private set; }
        public bool NegativeOffsets { get; private set; }
        public int MinOffset { get; private set; }
        public int MaxOffset { get; private set; }
        public long CompositionStart { get; private set; }
        public long CompositionEnd { get; private set; }
        public int SyncCount { get; private set; }
        public int ConstantSize { get; private set; }
        public int StscEntries { get; private set; }
        public int Width { get; private set; }
        public int Height { get; private set; }

        public bool AllSync => SyncCount == SampleCount;
        public bool CslgWide => CompositionStart < int.MinValue || CompositionEnd > int.MaxValue;
        public bool HasEditList => Track.PresentationDelayMilliseconds > 0;
        public bool ElstWide => (ulong)Track.PresentationDelayMilliseconds > uint.MaxValue || MediaMilliseconds > uint.MaxValue;

        public static TrackPlan Analyze(Mp4Track track, ReadOnlySpan<Mp4Sample> samples, Mp4Chunk[] chunks, int[] chunkIndices)
        {
            var plan = new TrackPlan { Track = track, ChunkIndices = chunkIndices };
            plan.AnalyzeSamples(samples);
            plan.AnalyzeChunks(samples, chunks);
            foreach (var d in track.SampleDescriptions)
            {
                if (d is AvcSampleDescription avc)
                {
                    // tkhd is the presentation size; with several descriptions the largest keeps every picture sharp.
                    plan.Width = Math.Max(plan.Width, avc.Width);
                    plan.Height = Math.Max(plan.Height, avc.Height);
                }
            }

            plan.MediaMilliseconds = ToMovieTime(plan.MediaDuration, track.Timescale);
            plan.TrackMilliseconds = (ulong)track.PresentationDelayMilliseconds + plan.MediaMilliseconds;
            return plan;
        }

        private void AnalyzeSamples(ReadOnlySpan<Mp4Sample> samples)
        {
            SampleCount = samples.Length;
            if (samples.IsEmpty)
            {
                return;
            }

            var constantSize = samples[0].Size;
            int minOffset = int.MaxValue, maxOffset = int.MinValue;
            long compositionStart = long.MaxValue, compositionEnd = long.MinValue;
            int stts = 0, ctts = 0, sync = 0;
            ulong decodeTime = 0;
            for (var i = 0; i < samples.Length; i++)
            {
                ref readonly var s = ref samples[i];
                if (i == 0 || s.Duration != samples[i - 1].Duration)
                {
                    stts++;
                }

                if (i == 0 || s.CompositionOffset != samples[i - 1].CompositionOffset)
                {
                    ctts++;
                }

                sync += s.IsSync ? 1 : 0;
                if (s.Size != constantSize)
                {
                    constantSize = 0;
                }

                minOffset = Math.Min(minOffset, s.CompositionOffset);
                maxOffset = Math.Max(maxOffset, s.CompositionOffset);
                var cts = (long)decodeTime + s.CompositionOffset;
                compositionStart = Math.Min(compositionStart, cts);
                compositionEnd = Math.Max(compositionEnd, cts + s.Duration);
                decodeTime += s.Duration;
            }

            SttsEntries = stts;
            CttsEntries = ctts;
            SyncCount = sync;
            ConstantSize = constantSize; // 0 means "sizes vary": stsz then carries a table
            MinOffset = minOffset;
            MaxOffset = maxOffset;
            HasOffsets = minOffset != 0 || maxOffset != 0;
            NegativeOffsets = minOffset < 0;
            CompositionStart = compositionStart;
            CompositionEnd = compositionEnd;
            MediaDuration = decodeTime;
        }

        private void AnalyzeChunks(ReadOnlySpan<Mp4Sample> samples, Mp4Chunk[] chunks)
        {
            int entries = 0, previousCount = -1, previousDescription = -1;
            foreach (var index in ChunkIndices)
            {
                var chunk = chunks[index];
                var description = samples[chunk.FirstSample].DescriptionIndex;
                if (chunk.SampleCount != previousCount || description != previousDescription)
                {
                    entries++;
                    previousCount = chunk.SampleCount;
                    previousDescription = description;
                }
            }

            StscEntries = entries;
        }

        public long StblSize(bool co64)
        {
            long size = 8 + 16;
            foreach (var d in Track.SampleDescriptions)
            {
                size += Mp4Boxes.SizeOfSampleEntry(d);
            }

            size += 16 + (8L * SttsEntries);
            size += HasOffsets ? 16 + (8L * CttsEntries) : 0;
            size += NegativeOffsets ? (CslgWide ? 52 : 32) : 0;
            size += AllSync ? 0 : 16 + (4L * SyncCount);
            size += 16 + (12L * StscEntries);
            size += 20 + (ConstantSize > 0 ? 0 : 4L * SampleCount);
            size += 16 + ((co64 ? 8L : 4L) * ChunkIndices.Length);
            return size;
        }

        public long TrakSize(bool co64)
        {
            var tkhd = Mp4Boxes.NeedsVersion1(TrackMilliseconds) ? Mp4Boxes.TkhdSizeV1 : Mp4Boxes.TkhdSizeV0;
            var edts = HasEditList ? 8 + 16 + (2 * (ElstWide ? 20 : 12)) : 0;
            var mdhd = Mp4Boxes.NeedsVersion1(MediaDuration) ? Mp4Boxes.MdhdSizeV1 : Mp4Boxes.MdhdSizeV0;
            var minf = 8 + Mp4Boxes.SizeOfMediaHeader(Track.Kind) + Mp4Boxes.DinfSize + StblSize(co64);
            var mdia = 8 + mdhd + Mp4Boxes.HdlrSize + minf;
            return 8 + tkhd + edts + mdia;
        }
    }

    /// <summary>Converts media ticks to movie time (milliseconds), rounding to nearest.</summary>
    private static ulong ToMovieTime(ulong ticks, uint timescale) =>
        (ulong)((((UInt128)ticks * Mp4Boxes.MovieTimescale) + (timescale / 2)) / timescale);
}
