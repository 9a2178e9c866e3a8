using System.Buffers.Binary;

namespace VideoStreams.Producer.Upload;

/// <summary>
/// Finds the unknown-size Cluster in a fragment body (after its optional Tags) so the uploader can send it with its
/// size. The reason: a reader can only tell that a Cluster of unknown size has ended when the next one begins, so the
/// server would RECEIVE (and PERSIST) the newest fragment only once the next one is sent; with the size in the
/// header it acks each fragment as soon as its last byte arrives. Only the 8 size bytes change; the rest of the body
/// is written from the fragment's own memory.
/// </summary>
internal static class ClusterSize
{
    private const uint ClusterId = 0x1F43B675;
    private const ulong UnknownSize = 0x01FFFFFFFFFFFFFF;

    /// <summary>
    /// The offset of the Cluster's 8-byte unknown-size field and the size it stands for, or false when the body is not
    /// [elements of known size] + Cluster(unknown size) to its end.
    /// </summary>
    public static bool TryFind(ReadOnlySpan<byte> body, out int sizeOffset, out long clusterSize)
    {
        sizeOffset = 0;
        clusterSize = 0;
        var i = 0;
        while (i < body.Length)
        {
            var idLength = body[i] >= 0x80 ? 1 : body[i] >= 0x40 ? 2 : body[i] >= 0x20 ? 3 : body[i] >= 0x10 ? 4 : 0;
            if (idLength == 0 || i + idLength >= body.Length)
            {
                return false;
            }

            uint id = 0;
            for (var k = 0; k < idLength; k++)
            {
                id = (id << 8) | body[i + k];
            }

            var at = i + idLength;
            var first = body[at];
            var sizeLength = first == 0 ? 0 : System.Numerics.BitOperations.LeadingZeroCount((uint)first) - 23;
            if (sizeLength is < 1 or > 8 || at + sizeLength > body.Length)
            {
                return false;
            }

            if (id == ClusterId)
            {
                if (sizeLength != 8 || BinaryPrimitives.ReadUInt64BigEndian(body.Slice(at, 8)) != UnknownSize)
                {
                    return false;
                }

                sizeOffset = at;
                clusterSize = body.Length - (at + 8);
                return true;
            }

            long size = first & (0xFF >> sizeLength);
            for (var k = 1; k < sizeLength; k++)
            {
                size = (size << 8) | body[at + k];
            }

            i = (int)Math.Min(int.MaxValue, at + sizeLength + size);
        }

        return false;
    }

    /// <summary>Writes <paramref name="size"/> as an 8-byte EBML size.</summary>
    public static void Write(Span<byte> destination, long size) =>
        BinaryPrimitives.WriteUInt64BigEndian(destination, (1UL << 56) | (ulong)size);
}
