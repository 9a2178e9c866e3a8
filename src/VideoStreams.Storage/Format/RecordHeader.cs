using System.Buffers.Binary;

namespace VideoStreams.Storage.Format;

/// <summary>What a record holds.</summary>
internal enum RecordType : byte
{
    /// <summary>One fragment: metadata and the MKV cluster.</summary>
    Fragment = 1,
    /// <summary>A stream's full metadata after a create or update (control log).</summary>
    Stream = 2,
    /// <summary>A stream was deleted (control log).</summary>
    StreamDeleted = 3,
    /// <summary>Fragment numbers below the given one may have been handed out (control log).</summary>
    NumberReservation = 4,
    /// <summary>A chunk was retired by retention: recovery must not bring its fragments back (control log).</summary>
    ChunkRetired = 5,
    /// <summary>A stream's data key, wrapped by its master key (control log).</summary>
    DataKey = 6,
    /// <summary>The control chunk holding it holds the whole state: every older control chunk is superseded (control log).</summary>
    ControlCompacted = 7,
}

/// <summary>
/// The 32-byte header in front of every record, little-endian:
/// magic, version, min-compatible version, type, header length, total length, sequence, body CRC-32C and a CRC-32C of
/// the header itself. The header has its own checksum so that a torn header is caught before its length is trusted.
/// </summary>
internal readonly record struct RecordHeader(RecordType Type, int TotalLength, long Sequence, uint BodyCrc)
{
    public const int Size = 32;
    public const uint Magic = 0x43525356; // "VSRC"
    public const ushort Version = 1;
    public const ushort MinCompatibleVersion = 1;

    /// <summary>Largest record accepted (a fragment is at most 50 MB in KVS; room for metadata and sealing).</summary>
    public const int MaxTotalLength = 64 << 20;

    public int BodyLength => TotalLength - Size;

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], MinCompatibleVersion);
        destination[8] = (byte)Type;
        destination[9] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[10..], Size);
        BinaryPrimitives.WriteInt32LittleEndian(destination[12..], TotalLength);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], Sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[24..], BodyCrc);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[28..], Crc32C.Compute(destination[..28]));
    }

    /// <summary>Parses and checks a header; <paramref name="problem"/> says what is wrong when it returns false.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out RecordHeader header, out string? problem)
    {
        header = default;
        if (source.Length < Size)
        {
            problem = "record header cut short";
            return false;
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(source) != Magic)
        {
            problem = "no record magic";
            return false;
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(source[28..]) != Crc32C.Compute(source[..28]))
        {
            problem = "record header checksum mismatch";
            return false;
        }

        var minCompatible = BinaryPrimitives.ReadUInt16LittleEndian(source[6..]);
        if (minCompatible > Version)
        {
            problem = $"record needs format version {minCompatible}; this build reads {Version}";
            return false;
        }

        var total = BinaryPrimitives.ReadInt32LittleEndian(source[12..]);
        var headerLength = BinaryPrimitives.ReadUInt16LittleEndian(source[10..]);
        if (headerLength != Size || total < Size || total > MaxTotalLength)
        {
            problem = $"record length {total} (header {headerLength}) is impossible";
            return false;
        }

        header = new RecordHeader(
            (RecordType)source[8],
            total,
            BinaryPrimitives.ReadInt64LittleEndian(source[16..]),
            BinaryPrimitives.ReadUInt32LittleEndian(source[24..]));
        problem = null;
        return true;
    }
}
