namespace VideoStreams.Media.Mp4;

/// <summary>Writes the data of one sample to a stream: exactly <see cref="Mp4Sample.Size"/> bytes.</summary>
/// <param name="trackIndex">Index of the track in the list given to <see cref="Mp4FileLayout.Create"/>.</param>
/// <param name="sampleIndex">Index of the sample within its track.</param>
/// <param name="destination">Where the bytes go.</param>
public delegate void Mp4SampleCopier(int trackIndex, int sampleIndex, Stream destination);

/// <summary>Asynchronously writes the data of one sample to a stream: exactly <see cref="Mp4Sample.Size"/> bytes.</summary>
/// <param name="trackIndex">Index of the track in the list given to <see cref="Mp4FileLayout.Create"/>.</param>
/// <param name="sampleIndex">Index of the sample within its track.</param>
/// <param name="destination">Where the bytes go.</param>
/// <param name="cancellationToken">Cancels the copy.</param>
public delegate ValueTask Mp4AsyncSampleCopier(int trackIndex, int sampleIndex, Stream destination, CancellationToken cancellationToken);

public sealed partial class Mp4FileLayout
{
    /// <summary>Writes the whole file: the header, then every sample in file order through <paramref name="copySample"/>.</summary>
    /// <exception cref="InvalidOperationException">A seekable destination shows a sample copy wrote the wrong number of bytes.</exception>
    public void WriteTo(Stream destination, Mp4SampleCopier copySample)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(copySample);
        var start = destination.CanSeek ? destination.Position : -1;
        destination.Write(_header);
        foreach (var chunk in _chunks)
        {
            for (var i = chunk.FirstSample; i < chunk.FirstSample + chunk.SampleCount; i++)
            {
                copySample(chunk.TrackIndex, i, destination);
            }

            CheckChunkEnd(destination, start, chunk);
        }
    }

    /// <summary>Writes the whole file asynchronously; see <see cref="WriteTo"/>.</summary>
    public async Task WriteToAsync(Stream destination, Mp4AsyncSampleCopier copySample, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(copySample);
        var start = destination.CanSeek ? destination.Position : -1;
        await destination.WriteAsync(_header, cancellationToken).ConfigureAwait(false);
        foreach (var chunk in _chunks)
        {
            for (var i = chunk.FirstSample; i < chunk.FirstSample + chunk.SampleCount; i++)
            {
                await copySample(chunk.TrackIndex, i, destination, cancellationToken).ConfigureAwait(false);
            }

            CheckChunkEnd(destination, start, chunk);
        }
    }

    /// <summary>A copier that writes a wrong byte count would shift every later sample: fail loudly where we can see it.</summary>
    private static void CheckChunkEnd(Stream destination, long start, Mp4Chunk chunk)
    {
        if (start >= 0 && destination.Position - start != chunk.FileOffset + chunk.Size)
        {
            throw new InvalidOperationException(
                $"After the chunk of track {chunk.TrackIndex} at sample {chunk.FirstSample} the file is {destination.Position - start} bytes, not {chunk.FileOffset + chunk.Size}: a sample copy wrote the wrong number of bytes.");
        }
    }
}
