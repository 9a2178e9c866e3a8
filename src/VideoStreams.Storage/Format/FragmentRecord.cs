using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Storage.Format;

/// <summary>A fragment's metadata as stored in front of its media.</summary>
internal readonly record struct FragmentMetadata(
    long StreamId,
    long ProducerTimestampMs,
    long ServerTimestampMs,
    int DurationMs,
    FragmentFlags Flags);

/// <summary>
/// The body of a fragment record, little-endian: stream id, producer and server times, duration, flags, the sealing
/// key id, the lengths of tags and media (plain and stored), then the tags and the (sealed) media. Everything before
/// the media is metadata: it stays readable for re-indexing and is authenticated with the media when sealed.
/// </summary>
internal static class FragmentRecord
{
    public const int FixedMetadataSize = 48;

    /// <summary>Bytes of the whole record (header included).</summary>
    public static int RecordLength(int tagsLength, int storedMediaLength) =>
        checked(RecordHeader.Size + FixedMetadataSize + tagsLength + storedMediaLength);

    public static int TagsLength(IReadOnlyList<KeyValuePair<string, string>>? tags)
    {
        if (tags is null || tags.Count == 0)
        {
            return 0;
        }

        var length = 2;
        foreach (var (name, value) in tags)
        {
            length += 4 + Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(value);
        }

        return length;
    }

    /// <summary>Writes a whole record into <paramref name="destination"/> (sized by <see cref="RecordLength"/>).</summary>
    /// <param name="destination">The record's bytes.</param>
    /// <param name="number">The fragment number (the header's sequence).</param>
    /// <param name="chunkId">The chunk the record will be written to.</param>
    /// <param name="offset">Where in the chunk.</param>
    /// <param name="metadata">The fragment's metadata.</param>
    /// <param name="tags">Fragment tags.</param>
    /// <param name="media">The plain media.</param>
    /// <param name="sealer">Seals the media.</param>
    /// <param name="keyId">The key it seals with (0: none).</param>
    public static void Write(
        Span<byte> destination,
        long number,
        long chunkId,
        long offset,
        in FragmentMetadata metadata,
        IReadOnlyList<KeyValuePair<string, string>>? tags,
        ReadOnlySpan<byte> media,
        IFragmentSealer sealer,
        uint keyId)
    {
        var tagsLength = TagsLength(tags);
        var stored = media.Length + sealer.Overhead;
        var body = destination[RecordHeader.Size..RecordLength(tagsLength, stored)];
        BinaryPrimitives.WriteInt64LittleEndian(body, metadata.StreamId);
        BinaryPrimitives.WriteInt64LittleEndian(body[8..], metadata.ProducerTimestampMs);
        BinaryPrimitives.WriteInt64LittleEndian(body[16..], metadata.ServerTimestampMs);
        BinaryPrimitives.WriteInt32LittleEndian(body[24..], metadata.DurationMs);
        BinaryPrimitives.WriteInt32LittleEndian(body[28..], (int)metadata.Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(body[32..], keyId);
        BinaryPrimitives.WriteInt32LittleEndian(body[36..], tagsLength);
        BinaryPrimitives.WriteInt32LittleEndian(body[40..], media.Length);
        BinaryPrimitives.WriteInt32LittleEndian(body[44..], stored);
        WriteTags(body.Slice(FixedMetadataSize, tagsLength), tags);

        var metadataEnd = FixedMetadataSize + tagsLength;
        byte[]? rented = null;
        var aadLength = AssociatedPrefix + metadataEnd;
        var aad = aadLength <= 512 ? stackalloc byte[aadLength] : (rented = ArrayPool<byte>.Shared.Rent(aadLength)).AsSpan(0, aadLength);
        AssociatedData(number, chunkId, offset, body[..metadataEnd], aad);
        try
        {
            sealer.Seal(keyId, number, aad, media, body[metadataEnd..]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        new RecordHeader(RecordType.Fragment, RecordHeader.Size + body.Length, number, Crc32C.Compute(body)).Write(destination);
    }

    /// <summary>Bytes of associated data in front of the metadata: number, chunk id, offset.</summary>
    private const int AssociatedPrefix = 24;

    /// <summary>
    /// What a sealer authenticates besides the media: the fragment number (the header's sequence), where the record
    /// lives (chunk id and offset: a copy anywhere else does not open) and the whole metadata, key id included.
    /// </summary>
    private static void AssociatedData(long number, long chunkId, long offset, ReadOnlySpan<byte> metadata, Span<byte> destination)
    {
        BinaryPrimitives.WriteInt64LittleEndian(destination, number);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], chunkId);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], offset);
        metadata.CopyTo(destination[AssociatedPrefix..]);
    }

    public static bool TryParse(ReadOnlySpan<byte> body, out FragmentMetadata metadata, out int tagsLength, out int mediaLength, out int storedLength, out uint keyId)
    {
        metadata = default;
        tagsLength = mediaLength = storedLength = 0;
        keyId = 0;
        if (body.Length < FixedMetadataSize)
        {
            return false;
        }

        metadata = new FragmentMetadata(
            BinaryPrimitives.ReadInt64LittleEndian(body),
            BinaryPrimitives.ReadInt64LittleEndian(body[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(body[16..]),
            BinaryPrimitives.ReadInt32LittleEndian(body[24..]),
            (FragmentFlags)BinaryPrimitives.ReadInt32LittleEndian(body[28..]));
        keyId = BinaryPrimitives.ReadUInt32LittleEndian(body[32..]);
        tagsLength = BinaryPrimitives.ReadInt32LittleEndian(body[36..]);
        mediaLength = BinaryPrimitives.ReadInt32LittleEndian(body[40..]);
        storedLength = BinaryPrimitives.ReadInt32LittleEndian(body[44..]);
        return tagsLength >= 0 && mediaLength >= 0 && storedLength >= 0
            && (long)FixedMetadataSize + tagsLength + storedLength == body.Length;
    }

    /// <summary>Opens the media of a parsed record into <paramref name="destination"/> (sized by the plain media length).</summary>
    /// <exception cref="SealException">The media does not open (tampered with, moved, or its key is unavailable).</exception>
    /// <exception cref="InvalidDataException">The metadata is inconsistent.</exception>
    public static void OpenMedia(ReadOnlySpan<byte> body, long number, long chunkId, long offset, IFragmentSealer sealer, Span<byte> destination)
    {
        if (!TryParse(body, out var metadata, out var tagsLength, out _, out _, out var keyId))
        {
            throw new InvalidDataException("fragment metadata is inconsistent");
        }

        var metadataEnd = FixedMetadataSize + tagsLength;
        byte[]? rented = null;
        var aadLength = AssociatedPrefix + metadataEnd;
        var aad = aadLength <= 512 ? stackalloc byte[aadLength] : (rented = ArrayPool<byte>.Shared.Rent(aadLength)).AsSpan(0, aadLength);
        AssociatedData(number, chunkId, offset, body[..metadataEnd], aad);
        try
        {
            sealer.Open(metadata.StreamId, keyId, number, aad, body[metadataEnd..], destination);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    public static IReadOnlyList<KeyValuePair<string, string>> ReadTags(ReadOnlySpan<byte> body, int tagsLength)
    {
        if (tagsLength == 0)
        {
            return [];
        }

        var tags = body.Slice(FixedMetadataSize, tagsLength);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(tags);
        var list = new List<KeyValuePair<string, string>>(count);
        var at = 2;
        for (var i = 0; i < count; i++)
        {
            var name = ReadString(tags, ref at);
            var value = ReadString(tags, ref at);
            list.Add(new(name, value));
        }

        return list;
    }

    private static void WriteTags(Span<byte> destination, IReadOnlyList<KeyValuePair<string, string>>? tags)
    {
        if (tags is null || tags.Count == 0)
        {
            return;
        }

        BinaryPrimitives.WriteUInt16LittleEndian(destination, checked((ushort)tags.Count));
        var at = 2;
        foreach (var (name, value) in tags)
        {
            at += WriteString(destination[at..], name);
            at += WriteString(destination[at..], value);
        }
    }

    private static int WriteString(Span<byte> destination, string value)
    {
        var length = Encoding.UTF8.GetBytes(value, destination[2..]);
        BinaryPrimitives.WriteUInt16LittleEndian(destination, checked((ushort)length));
        return 2 + length;
    }

    private static string ReadString(ReadOnlySpan<byte> source, ref int at)
    {
        var length = BinaryPrimitives.ReadUInt16LittleEndian(source[at..]);
        var value = Encoding.UTF8.GetString(source.Slice(at + 2, length));
        at += 2 + length;
        return value;
    }
}
