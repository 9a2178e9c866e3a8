using VideoStreams.Producer.Fragmenting;

namespace VideoStreams.Producer.Sources;

/// <summary>
/// Where a device's encoded video comes from: an encoder fed by a raw frame source (camera, synthetic pattern), or a
/// passthrough of H.264 that already exists (a file, an RTSP camera). Access units are handed to an
/// <see cref="IAccessUnitSink"/> (normally the fragmenter) in decode order.
/// </summary>
public interface IVideoSource : IAsyncDisposable
{
    /// <summary>A short description for logs, e.g. <c>synthetic 1280x720@30 (libx264 2000 kb/s)</c>.</summary>
    string Description { get; }

    /// <summary>
    /// Produces access units until the source ends (a file played once) or <paramref name="cancellationToken"/> is
    /// cancelled, then returns. A source that cannot be opened or breaks for good (missing device, unreachable URL,
    /// ffmpeg exiting) throws <see cref="VideoSourceException"/> with a message a person can act on.
    /// </summary>
    Task RunAsync(IAccessUnitSink sink, CancellationToken cancellationToken);
}

/// <summary>Receives what an <see cref="IVideoSource"/> produces. Calls come from one thread at a time.</summary>
public interface IAccessUnitSink
{
    /// <summary>
    /// The AVCDecoderConfigurationRecord (avcC) of a passed-through track, before its first access unit and again when
    /// it changes. Encoders that write SPS/PPS in band do not call this.
    /// </summary>
    void OnDecoderConfiguration(ReadOnlySpan<byte> avcDecoderConfigurationRecord);

    /// <summary>
    /// One access unit (a whole picture). <paramref name="timestampMs"/> is its presentation time as capture
    /// wall-clock milliseconds since the Unix epoch. The memory is valid only during the call.
    /// </summary>
    void OnAccessUnit(ReadOnlySpan<byte> accessUnit, long timestampMs, AccessUnitFormat format);
}

/// <summary>A video source could not be opened or failed for good. The message names the source and the cause.</summary>
public sealed class VideoSourceException : Exception
{
    /// <summary>Creates the exception.</summary>
    public VideoSourceException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public VideoSourceException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public VideoSourceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
