using System.Buffers.Binary;
using System.Text;

namespace VideoStreams.Storage.Format;

/// <summary>
/// The 64-byte header at the start of every log chunk file, little-endian: magic, version, min-compatible version,
/// header length, chunk id, creation time, the log (retention class) it belongs to, and a CRC-32C of the header.
/// </summary>
internal readonly record struct ChunkHeader(long ChunkId, long CreatedMs, string LogClass)
{
    public const int Size = 64;
    public const uint Magic = 0x4B435356; // "VSCK"
    public const ushort Version = 1;
    public const ushort MinCompatibleVersion = 1;
    private const int ClassOffset = 32;
    private const int ClassLength = 24;

    public void Write(Span<byte> destination)
    {
        destination[..Size].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], MinCompatibleVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[8..], Size);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], ChunkId);
        BinaryPrimitives.WriteInt64LittleEndian(destination[24..], CreatedMs);
        if (Encoding.ASCII.GetByteCount(LogClass) > ClassLength)
        {
            throw new ArgumentException($"log class '{LogClass}' is too long");
        }

        Encoding.ASCII.GetBytes(LogClass, destination.Slice(ClassOffset, ClassLength));
        BinaryPrimitives.WriteUInt32LittleEndian(destination[60..], Crc32C.Compute(destination[..60]));
    }

    public static bool TryRead(ReadOnlySpan<byte> source, out ChunkHeader header, out string? problem)
    {
        header = default;
        if (source.Length < Size)
        {
            problem = "chunk header cut short";
            return false;
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(source) != Magic)
        {
            problem = "no chunk magic";
            return false;
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(source[60..]) != Crc32C.Compute(source[..60]))
        {
            problem = "chunk header checksum mismatch";
            return false;
        }

        var minCompatible = BinaryPrimitives.ReadUInt16LittleEndian(source[6..]);
        if (minCompatible > Version || BinaryPrimitives.ReadUInt16LittleEndian(source[8..]) != Size)
        {
            problem = $"chunk needs format version {minCompatible}; this build reads {Version}";
            return false;
        }

        var name = source.Slice(ClassOffset, ClassLength);
        var end = name.IndexOf((byte)0);
        header = new ChunkHeader(
            BinaryPrimitives.ReadInt64LittleEndian(source[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[24..]),
            Encoding.ASCII.GetString(end < 0 ? name : name[..end]));
        problem = null;
        return true;
    }
}
