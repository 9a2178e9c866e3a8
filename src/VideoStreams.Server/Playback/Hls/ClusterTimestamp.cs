namespace VideoStreams.Server.Playback.Hls;

/// <summary>
/// The Timestamp of a stored Matroska Cluster, read from its first children without parsing its blocks. A session
/// rebases each fragment from this value to the fragment's selected time (ingest derives the producer timestamp from
/// it, but relative to the PutMedia session's start when the producer sends relative cluster times).
/// </summary>
internal static class ClusterTimestamp
{
    private const uint ClusterId = 0x1F43B675;
    private const uint TimestampId = 0xE7;

    public static bool TryRead(ReadOnlySpan<byte> cluster, out long ticks)
    {
        ticks = 0;
        if (!TryId(cluster, out var id, out var used) || id != ClusterId)
        {
            return false;
        }

        var pos = used;
        if (!TrySize(cluster[pos..], out _, out used))
        {
            return false;
        }

        pos += used;
        // The Timestamp comes first in practice; CRC-32, Void or Position may precede it.
        for (var children = 0; children < 8 && pos < cluster.Length; children++)
        {
            if (!TryId(cluster[pos..], out id, out used))
            {
                return false;
            }

            pos += used;
            if (!TrySize(cluster[pos..], out var size, out used) || size < 0 || size > cluster.Length - pos - used)
            {
                return false;
            }

            pos += used;
            if (id == TimestampId)
            {
                if (size > 8)
                {
                    return false;
                }

                ulong value = 0;
                foreach (var b in cluster.Slice(pos, (int)size))
                {
                    value = (value << 8) | b;
                }

                ticks = (long)value;
                return true;
            }

            pos += (int)size;
        }

        return false;
    }

    private static int Length(ReadOnlySpan<byte> span) =>
        span.IsEmpty || span[0] == 0 ? 0 : System.Numerics.BitOperations.LeadingZeroCount((uint)span[0]) - 23;

    private static bool TryId(ReadOnlySpan<byte> span, out uint id, out int length)
    {
        id = 0;
        length = Length(span);
        if (length is < 1 or > 4 || span.Length < length)
        {
            return false;
        }

        for (var i = 0; i < length; i++)
        {
            id = (id << 8) | span[i];
        }

        return true;
    }

    /// <summary>An element size; -1 for the unknown size (all value bits set).</summary>
    private static bool TrySize(ReadOnlySpan<byte> span, out long size, out int length)
    {
        size = 0;
        length = Length(span);
        if (length is < 1 or > 8 || span.Length < length)
        {
            return false;
        }

        var mask = 0xFFu >> length;
        ulong value = span[0] & mask;
        var allOnes = value == mask;
        for (var i = 1; i < length; i++)
        {
            value = (value << 8) | span[i];
            allOnes &= span[i] == 0xFF;
        }

        size = allOnes ? -1 : (long)value;
        return true;
    }
}
