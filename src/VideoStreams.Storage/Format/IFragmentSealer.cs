namespace VideoStreams.Storage.Format;

/// <summary>
/// The seam where fragment media is transformed on its way to and from the disk (encryption at rest). The record
/// header and the fragment's metadata are passed as associated data, so a sealer that authenticates them detects a
/// record moved to another stream or position.
/// </summary>
public interface IFragmentSealer
{
    /// <summary>Bytes the sealed form of <paramref name="plainLength"/> media bytes takes.</summary>
    int SealedLength(int plainLength);

    /// <summary>Seals <paramref name="plain"/> into <paramref name="destination"/>; returns the id of the key used (0: none).</summary>
    uint Seal(long streamId, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plain, Span<byte> destination);

    /// <summary>Opens sealed media into <paramref name="destination"/>; throws <see cref="CorruptSegmentException"/>-worthy
    /// <see cref="InvalidDataException"/> when it does not authenticate.</summary>
    void Open(long streamId, uint keyId, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> sealedMedia, Span<byte> destination);
}

/// <summary>No transformation: media is stored as received. The default until encryption at rest lands.</summary>
public sealed class PlainSealer : IFragmentSealer
{
    /// <summary>The one instance.</summary>
    public static PlainSealer Instance { get; } = new();

    /// <inheritdoc/>
    public int SealedLength(int plainLength) => plainLength;

    /// <inheritdoc/>
    public uint Seal(long streamId, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plain, Span<byte> destination)
    {
        plain.CopyTo(destination);
        return 0;
    }

    /// <inheritdoc/>
    public void Open(long streamId, uint keyId, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> sealedMedia, Span<byte> destination)
    {
        if (keyId != 0)
        {
            throw new InvalidDataException($"media sealed with key {keyId}, but no key store is configured");
        }

        sealedMedia.CopyTo(destination);
    }
}
