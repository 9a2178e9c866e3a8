namespace VideoStreams.Media.Mp4;

/// <summary>One chunk of a progressive MP4: consecutive samples of one track stored back to back.</summary>
/// <param name="TrackIndex">Index of the track in the list given to <see cref="Mp4FileLayout.Create"/>.</param>
/// <param name="FirstSample">Index of the chunk's first sample within its track.</param>
/// <param name="SampleCount">Number of samples in the chunk.</param>
/// <param name="FileOffset">Where the chunk's first byte is in the file.</param>
/// <param name="Size">Total size of the chunk's samples in bytes.</param>
public readonly record struct Mp4Chunk(int TrackIndex, int FirstSample, int SampleCount, long FileOffset, long Size);

/// <summary>
/// A piece of a byte range of a progressive MP4: either bytes of <see cref="Mp4FileLayout.Header"/> or part of one
/// sample's data.
/// </summary>
public readonly struct Mp4RangePiece
{
    internal Mp4RangePiece(long fileOffset, int length, int trackIndex, int sampleIndex, int sourceOffset)
    {
        FileOffset = fileOffset;
        Length = length;
        TrackIndex = trackIndex;
        SampleIndex = sampleIndex;
        SourceOffset = sourceOffset;
    }

    /// <summary>True when the piece is a slice of <see cref="Mp4FileLayout.Header"/>.</summary>
    public bool IsHeader => TrackIndex < 0;

    /// <summary>Where the piece starts in the file.</summary>
    public long FileOffset { get; }

    /// <summary>Number of bytes in the piece (never 0).</summary>
    public int Length { get; }

    /// <summary>Track of the sample (-1 for header pieces).</summary>
    public int TrackIndex { get; }

    /// <summary>Sample within the track (-1 for header pieces).</summary>
    public int SampleIndex { get; }

    /// <summary>Offset of the piece within the sample's data, or within the header for header pieces.</summary>
    public int SourceOffset { get; }
}
