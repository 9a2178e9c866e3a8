using System.Numerics;

namespace VideoStreams.Server.Ingest;

/// <summary>
/// Whether two received clusters are the same fragment. A producer that sends frames as they are captured writes the
/// Cluster with an unknown size (it cannot know it yet) and, when it resends that fragment after a lost ack, with its
/// size: the same fragment, whose bytes differ only in the Cluster's size field.
/// </summary>
internal static class ClusterBytes
{
    private static ReadOnlySpan<byte> ClusterId => [0x1F, 0x43, 0xB6, 0x75];

    /// <summary>The most two encodings of one cluster can differ in length (an 8-byte size field against a 1-byte one).</summary>
    public const int MaxLengthDifference = 7;

    /// <summary>True when the bytes are equal, or are one Cluster whose sizes (known or unknown) both fit its payload.</summary>
    public static bool SameCluster(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.SequenceEqual(b))
        {
            return true;
        }

        return TryPayload(a, out var payloadA) && TryPayload(b, out var payloadB) && payloadA.SequenceEqual(payloadB);
    }

    /// <summary>The Cluster's payload when the bytes are exactly one Cluster whose size is unknown or matches it.</summary>
    private static bool TryPayload(ReadOnlySpan<byte> cluster, out ReadOnlySpan<byte> payload)
    {
        payload = default;
        if (cluster.Length < ClusterId.Length + 1 || !cluster.StartsWith(ClusterId))
        {
            return false;
        }

        var first = cluster[ClusterId.Length];
        if (first == 0)
        {
            return false;
        }

        var sizeLength = BitOperations.LeadingZeroCount((uint)first) - 23;
        if (cluster.Length < ClusterId.Length + sizeLength)
        {
            return false;
        }

        var sizeField = cluster.Slice(ClusterId.Length, sizeLength);
        ulong size = (ulong)(first & (0xFF >> sizeLength));
        var unknown = size == (ulong)(0xFF >> sizeLength);
        for (var i = 1; i < sizeLength; i++)
        {
            size = (size << 8) | sizeField[i];
            unknown &= sizeField[i] == 0xFF;
        }

        payload = cluster[(ClusterId.Length + sizeLength)..];
        return unknown || size == (ulong)payload.Length;
    }
}
