using System.Buffers.Binary;
using System.Text;

namespace VideoStreams.Media.Tests.Matroska;

/// <summary>
/// Hand-assembles EBML for malformed-input tests: sizes and ids are written exactly as given, so tests can lie on
/// purpose (sizes that overrun, unknown sizes where none are allowed) in ways a real writer never would.
/// </summary>
internal static class EbmlBytes
{
    public static byte[] Id(uint id)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, id);
        return bytes.SkipWhile(b => b == 0).ToArray();
    }

    /// <summary>An 8-byte size field (0x01 marker), or the unknown-size marker for -1.</summary>
    public static byte[] Size8(long size)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, size < 0 ? 0x01FF_FFFF_FFFF_FFFFUL : 0x0100_0000_0000_0000UL | (ulong)size);
        return bytes;
    }

    public static byte[] Element(uint id, params byte[][] children)
    {
        var payload = children.SelectMany(c => c).ToArray();
        return [.. Id(id), .. Size8(payload.Length), .. payload];
    }

    public static byte[] UnknownSize(uint id, params byte[][] children) =>
        [.. Id(id), .. Size8(-1), .. children.SelectMany(c => c)];

    public static byte[] UInt(uint id, ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return Element(id, bytes);
    }

    public static byte[] Text(uint id, string value) => Element(id, Encoding.UTF8.GetBytes(value));

    public static byte[] Header(string docType = "matroska") => Element(0x1A45DFA3, Text(0x4282, docType), UInt(0x4287, 4), UInt(0x4285, 2));

    public static byte[] VideoTrack(ulong number, string codecId = "V_MPEG4/ISO/AVC") =>
        Element(0xAE, UInt(0xD7, number), UInt(0x73C5, number), UInt(0x83, 1), Text(0x86, codecId));

    public static byte[] Tracks(params byte[][] entries) => Element(0x1654AE6B, entries);

    public static byte[] Info(ulong timestampScale = 1_000_000) => Element(0x1549A966, UInt(0x2AD7B1, timestampScale));

    /// <summary>A SimpleBlock: track number as a one-byte varint, relative timestamp, flags, then the payload as given.</summary>
    public static byte[] SimpleBlock(byte track, short relative, byte flags, params byte[] payload)
    {
        var header = new byte[4];
        header[0] = (byte)(0x80 | track);
        BinaryPrimitives.WriteInt16BigEndian(header.AsSpan(1), relative);
        header[3] = flags;
        return Element(0xA3, [.. header, .. payload]);
    }

    public static byte[] Cluster(ulong timestamp, params byte[][] blocks) => Element(0x1F43B675, [UInt(0xE7, timestamp), .. blocks]);

    public static byte[] Segment(params byte[][] children) => Element(0x18538067, children);

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
