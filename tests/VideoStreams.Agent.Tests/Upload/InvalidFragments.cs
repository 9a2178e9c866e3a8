using VideoStreams.Producer;

namespace VideoStreams.Agent.Tests.Upload;

/// <summary>Fragments the server refuses, made from good ones.</summary>
internal static class InvalidFragments
{
    /// <summary>
    /// The same fragment with its first SimpleBlock moved to track 5, which Tracks does not declare: KVS refuses it
    /// with 4010 TRACK_NUMBER_MISMATCH, and resending it would not help.
    /// </summary>
    public static ProducerFragment WithUndeclaredTrack(ProducerFragment fragment)
    {
        var body = fragment.Body.ToArray();
        var i = 0;
        // Cluster (1F 43 B6 75) of unknown size, then its children: skip them until the first SimpleBlock (A3).
        Assert.True(body.AsSpan().StartsWith((ReadOnlySpan<byte>)[0x1F, 0x43, 0xB6, 0x75]), "the body starts with its Cluster");
        i += 4;
        i += VintLength(body[i]);
        while (body[i] != 0xA3)
        {
            i += IdLength(body[i]);
            var sizeLength = VintLength(body[i]);
            i += sizeLength + (int)VintValue(body.AsSpan(i, sizeLength));
        }

        i += 1;
        i += VintLength(body[i]);
        Assert.Equal(0x81, body[i]); // track 1, as a one-byte vint
        body[i] = 0x85;
        return new ProducerFragment(fragment.SequenceNumber, fragment.HeaderVersion, fragment.Header, body,
            fragment.TimestampMs, fragment.DurationMs, fragment.StartsWithKeyframe, fragment.FrameCount);
    }

    private static int IdLength(byte first) => first >= 0x80 ? 1 : first >= 0x40 ? 2 : first >= 0x20 ? 3 : 4;

    private static int VintLength(byte first)
    {
        for (var n = 1; n <= 8; n++)
        {
            if ((first & (0x80 >> (n - 1))) != 0)
            {
                return n;
            }
        }

        throw new InvalidDataException("bad EBML size");
    }

    private static long VintValue(ReadOnlySpan<byte> bytes)
    {
        long value = bytes[0] & (0xFF >> bytes.Length);
        for (var k = 1; k < bytes.Length; k++)
        {
            value = (value << 8) | bytes[k];
        }

        return value;
    }
}
