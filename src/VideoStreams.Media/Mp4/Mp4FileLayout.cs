using System.Collections.ObjectModel;

namespace VideoStreams.Media.Mp4;

/// <summary>
/// A progressive MP4 with the <c>moov</c> first, planned in full before a byte is written: where every chunk of
/// every track goes, and the complete header (<c>ftyp</c> + <c>moov</c> + <c>mdat</c> header). The file is then
/// the header followed by the samples' bytes in <see cref="Chunks"/> order, so it can be produced in one pass,
/// or any byte range of it served without producing what comes before (<see cref="MapRange"/>).
/// </summary>
/// <remarks>
/// Sample timing comes from the sample durations (stts) and composition offsets (ctts); <see cref="Mp4Sample.DecodeTime"/>
/// is not used: each track's first sample decodes at 0, and starts being presented after the track's
/// <see cref="Mp4Track.PresentationDelayMilliseconds"/>. The sample lists are kept, not copied: do not change them
/// while the layout is in use.
/// </remarks>
public sealed partial class Mp4FileLayout
{
    private readonly ReadOnlyMemory<Mp4Sample>[] _samples;
    private readonly Mp4Chunk[] _chunks;
    private readonly int[][] _trackChunks;
    private readonly byte[] _header;

    private Mp4FileLayout(ReadOnlyMemory<Mp4Sample>[] samples, Mp4Chunk[] chunks, int[][] trackChunks, byte[] header, long fileSize, bool usesCo64)
    {
        _samples = samples;
        _chunks = chunks;
        _trackChunks = trackChunks;
        _header = header;
        FileSize = fileSize;
        UsesCo64 = usesCo64;
        Chunks = new ReadOnlyCollection<Mp4Chunk>(chunks);
    }

    /// <summary>The first bytes of the file: <c>ftyp</c>, <c>moov</c> and the <c>mdat</c> header.</summary>
    public ReadOnlyMemory<byte> Header => _header;

    /// <summary>Size of the whole file in bytes.</summary>
    public long FileSize { get; }

    /// <summary>The chunks in file order; the first starts right after <see cref="Header"/>.</summary>
    public IReadOnlyList<Mp4Chunk> Chunks { get; }

    /// <summary>True when chunk offsets needed 64 bits (<c>co64</c> instead of <c>stco</c>).</summary>
    public bool UsesCo64 { get; }

    /// <summary>Plans a progressive MP4.</summary>
    /// <param name="tracks">The tracks, in <c>trak</c> order.</param>
    /// <param name="samplesPerTrack">Per track, its samples in decode order.</param>
    /// <param name="options">Interleaving options; <see cref="Mp4LayoutOptions.Default"/> when null.</param>
    /// <exception cref="MediaFormatException">
    /// A sample has a negative size or names a sample description the track lacks, or a description cannot be written.
    /// </exception>
    public static Mp4FileLayout Create(
        IReadOnlyList<Mp4Track> tracks,
        IReadOnlyList<ReadOnlyMemory<Mp4Sample>> samplesPerTrack,
        Mp4LayoutOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tracks);
        ArgumentNullException.ThrowIfNull(samplesPerTrack);
        CmafWriter.ValidateTracks(tracks);
        if (samplesPerTrack.Count != tracks.Count)
        {
            throw new ArgumentException("One sample list per track is needed.", nameof(samplesPerTrack));
        }

        options ??= Mp4LayoutOptions.Default;
        if (options.MaxChunkDuration <= TimeSpan.Zero)
        {
            throw new ArgumentException("MaxChunkDuration must be positive.", nameof(options));
        }

        var samples = new ReadOnlyMemory<Mp4Sample>[tracks.Count];
        for (var t = 0; t < tracks.Count; t++)
        {
            if (tracks[t].PresentationDelayMilliseconds < 0)
            {
                throw new ArgumentException($"Track {tracks[t].TrackId} has a negative presentation delay.", nameof(tracks));
            }

            foreach (var description in tracks[t].SampleDescriptions)
            {
                Mp4Boxes.Validate(description);
            }

            samples[t] = samplesPerTrack[t];
        }

        var (chunks, trackChunks) = PlanChunks(tracks, samples, options.MaxChunkDuration);
        var header = HeaderBuilder.Build(tracks, samples, chunks, trackChunks, out var fileSize, out var usesCo64);
        return new Mp4FileLayout(samples, chunks, trackChunks, header, fileSize, usesCo64);
    }

    /// <summary>Where the first byte of a sample is in the file.</summary>
    /// <param name="trackIndex">Index of the track in the list given to <see cref="Create"/>.</param>
    /// <param name="sampleIndex">Index of the sample within its track.</param>
    public long GetSampleFileOffset(int trackIndex, int sampleIndex)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)trackIndex, (uint)_samples.Length, nameof(trackIndex));
        var samples = _samples[trackIndex].Span;
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)sampleIndex, (uint)samples.Length, nameof(sampleIndex));

        var chunk = _chunks[FindTrackChunk(trackIndex, sampleIndex)];
        var offset = chunk.FileOffset;
        for (var i = chunk.FirstSample; i < sampleIndex; i++)
        {
            offset += samples[i].Size;
        }

        return offset;
    }

    /// <summary>Index in <see cref="_chunks"/> of the chunk holding a sample: a binary search over the track's chunks.</summary>
    private int FindTrackChunk(int trackIndex, int sampleIndex)
    {
        var list = _trackChunks[trackIndex];
        int lo = 0, hi = list.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >> 1;
            if (_chunks[list[mid]].FirstSample <= sampleIndex)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return list[lo];
    }
}
