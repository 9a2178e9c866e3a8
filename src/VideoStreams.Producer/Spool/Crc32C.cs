using System.Buffers.Binary;
using System.Numerics;

namespace VideoStreams.Producer.Spool;

/// <summary>CRC-32C (Castagnoli) of spool headers and records; the CPU's CRC32 instruction where there is one.</summary>
internal static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(0xFFFFFFFF, data);

    /// <summary>CRC of two pieces as if they were one (the record's length field, then its payload).</summary>
    public static uint Compute(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second) => ~Append(Append(0xFFFFFFFF, first), second);

    private static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }
}
