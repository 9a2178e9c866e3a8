namespace VideoStreams.Media.Mp4;

public sealed partial class Mp4FileLayout
{
    /// <summary>A chunk before file offsets are known; <see cref="Start"/> (seconds, delay included) orders the file.</summary>
    private readonly record struct PendingChunk(int First, int Count, long Size, double Start);

    /// <summary>
    /// Cuts each track into chunks (one description each, at most <paramref name="maxChunkDuration"/> long) and
    /// merges them into file order by start time, ties going to the earlier track. Chunk offsets are left at 0
    /// for the header builder, which knows where the payload starts.
    /// </summary>
    private static (Mp4Chunk[] Chunks, int[][] TrackChunks) PlanChunks(
        IReadOnlyList<Mp4Track> tracks, ReadOnlyMemory<Mp4Sample>[] samples, TimeSpan maxChunkDuration)
    {
        var perTrack = new List<PendingChunk>[tracks.Count];
        var total = 0;
        for (var t = 0; t < tracks.Count; t++)
        {
            perTrack[t] = SplitTrack(tracks[t], samples[t].Span, maxChunkDuration);
            total += perTrack[t].Count;
        }

        var chunks = new Mp4Chunk[total];
        var trackChunks = new int[tracks.Count][];
        for (var t = 0; t < tracks.Count; t++)
        {
            trackChunks[t] = new int[perTrack[t].Count];
        }

        // A k-way merge; k is the track count (a handful), so a linear scan beats a heap.
        var cursor = new int[tracks.Count];
        for (var k = 0; k < total; k++)
        {
            var best = -1;
            for (var t = 0; t < tracks.Count; t++)
            {
                if (cursor[t] < perTrack[t].Count
                    && (best < 0 || perTrack[t][cursor[t]].Start < perTrack[best][cursor[best]].Start))
                {
                    best = t;
                }
            }

            var p = perTrack[best][cursor[best]];
            chunks[k] = new Mp4Chunk(best, p.First, p.Count, 0, p.Size);
            trackChunks[best][cursor[best]++] = k;
        }

        return (chunks, trackChunks);
    }

    private static List<PendingChunk> SplitTrack(Mp4Track track, ReadOnlySpan<Mp4Sample> samples, TimeSpan maxChunkDuration)
    {
        var list = new List<PendingChunk>();
        if (samples.IsEmpty)
        {
            return list;
        }

        var maxTicks = (ulong)Int128.Max(1, (Int128)maxChunkDuration.Ticks * track.Timescale / TimeSpan.TicksPerSecond);
        var delaySeconds = track.PresentationDelayMilliseconds / 1000.0;
        var descriptionCount = (uint)track.SampleDescriptions.Count;
        int start = 0;
        ulong ticks = 0, startTicks = 0, chunkTicks = 0;
        long size = 0;
        for (var i = 0; i < samples.Length; i++)
        {
            ref readonly var s = ref samples[i];
            if (s.Size < 0)
            {
                ThrowHelper.Throw(MediaFormatError.InvalidValue, $"Sample {i} of track {track.TrackId} has a negative size.");
            }

            if ((uint)s.DescriptionIndex >= descriptionCount)
            {
                ThrowHelper.Throw(MediaFormatError.InvalidValue, $"Sample {i} of track {track.TrackId} names sample description {s.DescriptionIndex}, which the track lacks.");
            }

            // A chunk has a single sample description (stsc gives one per chunk), so a description change cuts it.
            if (i > start && (s.DescriptionIndex != samples[start].DescriptionIndex || chunkTicks + s.Duration > maxTicks))
            {
                list.Add(new PendingChunk(start, i - start, size, delaySeconds + (startTicks / (double)track.Timescale)));
                start = i;
                startTicks = ticks;
                chunkTicks = 0;
                size = 0;
            }

            chunkTicks += s.Duration;
            ticks += s.Duration;
            size += s.Size;
        }

        list.Add(new PendingChunk(start, samples.Length - start, size, delaySeconds + (startTicks / (double)track.Timescale)));
        return list;
    }
}
