using System.Buffers;
using System.Diagnostics;

namespace VideoStreams.Media.Mp4;

/// <summary>The samples of one track within one media segment.</summary>
/// <param name="TrackId">The track's id, as in the init segment.</param>
/// <param name="BaseMediaDecodeTime">Decode time of the first sample, in the track's timescale (written to <c>tfdt</c>).</param>
/// <param name="Samples">The samples in decode order; their sizes say where each one's bytes go in the <c>mdat</c>.</param>
public readonly record struct TrackFragment(uint TrackId, long BaseMediaDecodeTime, ReadOnlyMemory<Mp4Sample> Samples);

public static partial class CmafWriter
{
    // sample_flags (ISO/IEC 14496-12 8.8.3.1): a sync sample depends on nothing (sample_depends_on = 2); any other
    // sample depends on others (1) and has sample_is_non_sync_sample set.
    internal const uint SyncSampleFlags = 0x02000000;
    internal const uint NonSyncSampleFlags = 0x01010000;

    private const uint TfhdDefaultBaseIsMoof = 0x020000;
    private const uint TfhdDefaultDuration = 0x08;
    private const uint TfhdDefaultSize = 0x10;
    private const uint TfhdDefaultFlags = 0x20;
    private const uint TrunDataOffset = 0x001;
    private const uint TrunFirstSampleFlags = 0x004;
    private const uint TrunDuration = 0x100;
    private const uint TrunSize = 0x200;
    private const uint TrunSampleFlags = 0x400;
    private const uint TrunCompositionOffset = 0x800;

    private const int StackPlans = 8;

    /// <summary>
    /// Writes a media segment's <c>moof</c> (one <c>traf</c> per fragment that has samples) and the <c>mdat</c>
    /// header. The caller then appends the sample bytes, fragment by fragment in the order given, each fragment's
    /// samples in order. Does not allocate (up to 8 fragments).
    /// </summary>
    /// <param name="output">Receives the bytes.</param>
    /// <param name="sequenceNumber">The <c>mfhd</c> sequence number: 1 for the first segment, then increasing.</param>
    /// <param name="fragments">Per track, the samples of this segment.</param>
    /// <returns>How many payload bytes the caller must append (the sum of the sample sizes).</returns>
    /// <remarks>
    /// Timing is exactly what the samples say: <c>tfdt</c> = <see cref="TrackFragment.BaseMediaDecodeTime"/> (so a track
    /// that starts late carries its delay there; <see cref="Mp4Track.PresentationDelayMilliseconds"/> is not used), then
    /// per-sample durations and composition offsets; negative offsets switch <c>trun</c> to version 1.
    /// <see cref="Mp4Sample.DescriptionIndex"/> is not used either: a fragment refers to the init segment's one sample
    /// description, so a codec configuration change needs a new init segment.
    /// </remarks>
    /// <exception cref="MediaFormatException">A sample size or decode time is negative, or the segment passes 2 GiB.</exception>
    public static int WriteFragmentHeader(IBufferWriter<byte> output, uint sequenceNumber, ReadOnlySpan<TrackFragment> fragments)
    {
        ArgumentNullException.ThrowIfNull(output);
        Span<TrafPlan> plans = fragments.Length <= StackPlans ? stackalloc TrafPlan[StackPlans] : new TrafPlan[fragments.Length];
        plans = plans[..fragments.Length];

        long moofSize = 8 + 16; // moof header + mfhd
        long payload = 0;
        for (var i = 0; i < fragments.Length; i++)
        {
            if (fragments[i].BaseMediaDecodeTime < 0)
            {
                ThrowHelper.Throw(MediaFormatError.InvalidTimestamp, $"Track {fragments[i].TrackId} has a negative base media decode time.");
            }

            plans[i] = TrafPlan.Analyze(fragments[i].Samples.Span);
            moofSize += plans[i].TrafSize;
            payload += plans[i].PayloadSize;
        }

        // trun data offsets are signed 32-bit and relative to the moof, so the whole segment must stay below 2 GiB.
        if (moofSize + 8 + payload > int.MaxValue)
        {
            ThrowHelper.Throw(MediaFormatError.InvalidValue, "A media segment cannot exceed 2 GiB.");
        }

        var headerSize = (int)moofSize + 8;
        var w = new BoxWriter(output.GetSpan(headerSize));
        var moof = w.StartBox("moof"u8);
        var mfhd = w.StartFullBox("mfhd"u8, 0, 0);
        w.WriteUInt32(sequenceNumber);
        w.EndBox(mfhd);

        var dataOffset = headerSize;
        for (var i = 0; i < fragments.Length; i++)
        {
            if (plans[i].SampleCount > 0)
            {
                WriteTraf(ref w, fragments[i], in plans[i], dataOffset);
                dataOffset += (int)plans[i].PayloadSize;
            }
        }

        w.EndBox(moof);
        w.WriteMdatHeader(payload);
        Debug.Assert(w.Position == headerSize, "moof size computation and writer disagree");
        output.Advance(w.Position);
        return (int)payload;
    }

    private static void WriteTraf(ref BoxWriter w, TrackFragment fragment, in TrafPlan plan, int dataOffset)
    {
        var samples = fragment.Samples.Span;
        var traf = w.StartBox("traf"u8);

        var tfhd = w.StartFullBox("tfhd"u8, 0, plan.TfhdFlags);
        w.WriteUInt32(fragment.TrackId);
        if ((plan.TfhdFlags & TfhdDefaultDuration) != 0)
        {
            w.WriteUInt32(samples[0].Duration);
        }

        if ((plan.TfhdFlags & TfhdDefaultSize) != 0)
        {
            w.WriteUInt32((uint)samples[0].Size);
        }

        if ((plan.TfhdFlags & TfhdDefaultFlags) != 0)
        {
            w.WriteUInt32(plan.DefaultFlags);
        }

        w.EndBox(tfhd);

        var tfdt = w.StartFullBox("tfdt"u8, 1, 0);
        w.WriteUInt64((ulong)fragment.BaseMediaDecodeTime);
        w.EndBox(tfdt);

        var flags = plan.TrunFlags;
        var trun = w.StartFullBox("trun"u8, plan.NegativeOffsets ? (byte)1 : (byte)0, flags);
        w.WriteUInt32((uint)samples.Length);
        w.WriteInt32(dataOffset);
        if ((flags & TrunFirstSampleFlags) != 0)
        {
            w.WriteUInt32(SampleFlags(samples[0]));
        }

        foreach (ref readonly var s in samples)
        {
            if ((flags & TrunDuration) != 0)
            {
                w.WriteUInt32(s.Duration);
            }

            if ((flags & TrunSize) != 0)
            {
                w.WriteUInt32((uint)s.Size);
            }

            if ((flags & TrunSampleFlags) != 0)
            {
                w.WriteUInt32(SampleFlags(s));
            }

            if ((flags & TrunCompositionOffset) != 0)
            {
                w.WriteInt32(s.CompositionOffset); // version 1 reads it signed; version 0 only when all are ≥ 0
            }
        }

        w.EndBox(trun);
        w.EndBox(traf);
    }

    internal static uint SampleFlags(in Mp4Sample sample) => sample.IsSync ? SyncSampleFlags : NonSyncSampleFlags;

    /// <summary>
    /// What one traf needs, decided in a single pass: values shared by every sample move to <c>tfhd</c> defaults
    /// (and a lone differing first sample's flags to <c>first_sample_flags</c>), so typical trun rows are 8 bytes.
    /// </summary>
    private struct TrafPlan
    {
        public int SampleCount;
        public long PayloadSize;
        public long TrafSize;
        public uint TfhdFlags;
        public uint TrunFlags;
        public uint DefaultFlags;
        public bool NegativeOffsets;

        public static TrafPlan Analyze(ReadOnlySpan<Mp4Sample> samples)
        {
            var plan = default(TrafPlan);
            if (samples.IsEmpty)
            {
                return plan;
            }

            var first = samples[0];
            var firstFlags = SampleFlags(first);
            var secondFlags = samples.Length > 1 ? SampleFlags(samples[1]) : firstFlags;
            bool sameDuration = true, sameSize = true, restFlagsSame = true, anyOffset = false;
            long payload = 0;
            foreach (ref readonly var s in samples)
            {
                if (s.Size < 0)
                {
                    ThrowHelper.Throw(MediaFormatError.InvalidValue, "A sample size is negative.");
                }

                payload += s.Size;
                sameDuration &= s.Duration == first.Duration;
                sameSize &= s.Size == first.Size;
                anyOffset |= s.CompositionOffset != 0;
                plan.NegativeOffsets |= s.CompositionOffset < 0;
            }

            for (var i = 2; i < samples.Length && restFlagsSame; i++)
            {
                restFlagsSame = SampleFlags(samples[i]) == secondFlags;
            }

            plan.SampleCount = samples.Length;
            plan.PayloadSize = payload;
            plan.TfhdFlags = TfhdDefaultBaseIsMoof;
            plan.TrunFlags = TrunDataOffset;
            plan.TfhdFlags |= sameDuration ? TfhdDefaultDuration : 0;
            plan.TrunFlags |= sameDuration ? 0 : TrunDuration;
            plan.TfhdFlags |= sameSize ? TfhdDefaultSize : 0;
            plan.TrunFlags |= sameSize ? 0 : TrunSize;
            if (restFlagsSame)
            {
                plan.TfhdFlags |= TfhdDefaultFlags;
                plan.DefaultFlags = secondFlags;
                plan.TrunFlags |= firstFlags == secondFlags ? 0 : TrunFirstSampleFlags;
            }
            else
            {
                plan.TrunFlags |= TrunSampleFlags;
            }

            plan.TrunFlags |= anyOffset ? TrunCompositionOffset : 0;

            var tfhdSize = 16 + (4 * System.Numerics.BitOperations.PopCount(plan.TfhdFlags & (TfhdDefaultDuration | TfhdDefaultSize | TfhdDefaultFlags)));
            var rowSize = 4 * System.Numerics.BitOperations.PopCount(plan.TrunFlags & (TrunDuration | TrunSize | TrunSampleFlags | TrunCompositionOffset));
            var trunSize = 20 + ((plan.TrunFlags & TrunFirstSampleFlags) != 0 ? 4 : 0) + ((long)rowSize * samples.Length);
            plan.TrafSize = 8 + tfhdSize + 20 + trunSize;
            return plan;
        }
    }
}
