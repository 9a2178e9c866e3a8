using System.Buffers.Binary;
using System.Globalization;

namespace VideoStreams.Producer.Spool;

/// <summary>
/// The on-disk layout, all little-endian. A segment file <c>NNNNNNNNNNNNNNNN.vspool</c> starts with a 36-byte
/// header: magic <c>VSSP</c>, version, min-compatible version, segment number, base sequence (the next sequence
/// number when the file was created), creation time (epoch ms), CRC-32C of the previous 32 bytes. Records follow,
/// each framed as: marker <c>VSRC</c>, payload length (u32), CRC-32C over the length field and the payload, then
/// the MessagePack payload (see <see cref="SpoolRecord"/>). The marker lets recovery find the next record after a
/// corrupt one; the checksum tells a torn or damaged record from a good one.
/// </summary>
internal static class SpoolFormat
{
    public const uint SegmentMagic = 0x50535356; // "VSSP"
    public const uint RecordMarker = 0x43525356; // "VSRC"
    public const ushort Version = 1;
    public const ushort MinCompatibleVersion = 1;
    public const int SegmentHeaderSize = 36;
    public const int RecordHeaderSize = 12;

    /// <summary>KVS refuses fragments over 50 MB; anything claiming more than this is a damaged length.</summary>
    public const int MaxPayloadLength = 64 << 20;

    public const string SegmentExtension = ".vspool";
    public const string CorruptExtension = ".corrupt";

    public static ReadOnlySpan<byte> RecordMarkerBytes => "VSRC"u8;

    public static string SegmentFileName(long number) => number.ToString("D16", CultureInfo.InvariantCulture) + SegmentExtension;

    public static bool TryParseSegmentNumber(string fileName, out long number)
    {
        number = 0;
        return fileName.EndsWith(SegmentExtension, StringComparison.Ordinal)
            && long.TryParse(fileName.AsSpan(0, fileName.Length - SegmentExtension.Length), NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }

    public static void WriteSegmentHeader(Span<byte> destination, long segmentNumber, long baseSequence, long createdAtMs)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, SegmentMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], MinCompatibleVersion);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], segmentNumber);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], baseSequence);
        BinaryPrimitives.WriteInt64LittleEndian(destination[24..], createdAtMs);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[32..], Crc32C.Compute(destination[..32]));
    }

    /// <summary>Reads a segment header; null with a reason when it is not one this version can read.</summary>
    public static string? TryReadSegmentHeader(ReadOnlySpan<byte> header, long expectedNumber, out long baseSequence)
    {
        baseSequence = 0;
        if (header.Length < SegmentHeaderSize)
        {
            return "shorter than a segment header";
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != SegmentMagic)
        {
            return "bad magic";
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(header[32..]) != Crc32C.Compute(header[..32]))
        {
            return "header checksum mismatch";
        }

        var minVersion = BinaryPrimitives.ReadUInt16LittleEndian(header[6..]);
        if (minVersion > Version)
        {
            return $"needs format version {minVersion}, this reader has {Version}";
        }

        if (BinaryPrimitives.ReadInt64LittleEndian(header[8..]) != expectedNumber)
        {
            return "segment number does not match the file name";
        }

        baseSequence = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
        return null;
    }

    /// <summary>Fills the 12-byte frame header in front of a payload already written after it.</summary>
    public static void WriteRecordHeader(Span<byte> record)
    {
        var payloadLength = record.Length - RecordHeaderSize;
        BinaryPrimitives.WriteUInt32LittleEndian(record, RecordMarker);
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)payloadLength);
        BinaryPrimitives.WriteUInt32LittleEndian(record[8..], Crc32C.Compute(record.Slice(4, 4), record[RecordHeaderSize..]));
    }

    /// <summary>Checks a frame header: the marker and a plausible length. Returns the payload length or -1.</summary>
    public static int ReadPayloadLength(ReadOnlySpan<byte> header)
    {
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != RecordMarker)
        {
            return -1;
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        return length is 0 or > MaxPayloadLength ? -1 : (int)length;
    }

    public static bool ChecksumMatches(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload) =>
        BinaryPrimitives.ReadUInt32LittleEndian(header[8..]) == Crc32C.Compute(header.Slice(4, 4), payload);
}
