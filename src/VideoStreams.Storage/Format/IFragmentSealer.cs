using VideoStreams.Storage.Streams;

namespace VideoStreams.Storage.Format;

/// <summary>
/// Where fragment media is transformed on its way to and from the disk (encryption at rest). The associated data —
/// the fragment number, the record's position (chunk and offset) and the fragment's metadata, key id included — is
/// authenticated with the media, so a record moved to another stream or position, or with altered metadata, does
/// not open.
/// </summary>
internal interface IFragmentSealer
{
    /// <summary>Bytes the sealed form adds to the media (the authentication tag).</summary>
    int Overhead { get; }

    /// <summary>
    /// The key to seal the stream's next fragment with (0: none), starting a new one when the stream has none or its
    /// current one is due for rotation. Called under the store's append lock.
    /// </summary>
    uint KeyFor(StreamRecord stream, long nowMs);

    /// <summary>Seals <paramref name="plain"/> into <paramref name="destination"/> (plain length + <see cref="Overhead"/>).</summary>
    void Seal(uint keyId, long number, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plain, Span<byte> destination);

    /// <summary>Opens sealed media into <paramref name="destination"/> (the plain length).</summary>
    /// <exception cref="SealException">The media does not authenticate, or its key is not available.</exception>
    void Open(long streamId, uint keyId, long number, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> sealedMedia, Span<byte> destination);
}

/// <summary>No transformation: media is stored as received (encryption turned off, for measurements only).</summary>
internal sealed class PlainSealer : IFragmentSealer
{
    public static PlainSealer Instance { get; } = new();

    public int Overhead => 0;

    public uint KeyFor(StreamRecord stream, long nowMs) => 0;

    public void Seal(uint keyId, long number, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plain, Span<byte> destination) =>
        plain.CopyTo(destination);

    public void Open(long streamId, uint keyId, long number, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> sealedMedia, Span<byte> destination)
    {
        if (keyId != 0)
        {
            throw new SealException(CorruptionKind.KeyUnavailable, $"media sealed with data key {keyId}, but encryption is turned off");
        }

        sealedMedia.CopyTo(destination);
    }
}

/// <summary>Sealed media that does not open: tampered with, or its key is not available.</summary>
internal sealed class SealException(CorruptionKind kind, string message) : Exception(message)
{
    public CorruptionKind Kind { get; } = kind;
}
