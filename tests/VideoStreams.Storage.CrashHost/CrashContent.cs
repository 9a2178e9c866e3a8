using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace VideoStreams.Storage.CrashHost;

/// <summary>
/// The media the crash host appends: self-describing and fully determined by (stream, run seed, sequence), so the test
/// can tell a whole fragment from a torn or foreign one without having seen it printed. Layout (little-endian): magic,
/// stream index, total length, seed, sequence, producer time, then pseudo-random bytes seeded from those values.
/// </summary>
internal static class CrashContent
{
    public const int HeaderSize = 40;

    private const ulong Magic = 0x3148_5341_5243_5356; // "VSCRASH1"

    /// <summary>Builds the media of one fragment.</summary>
    public static byte[] Create(int stream, long seed, long sequence, long producerMs, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, HeaderSize);
        var media = new byte[size];
        var span = media.AsSpan();
        BinaryPrimitives.WriteUInt64LittleEndian(span, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], stream);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], size);
        BinaryPrimitives.WriteInt64LittleEndian(span[16..], seed);
        BinaryPrimitives.WriteInt64LittleEndian(span[24..], sequence);
        BinaryPrimitives.WriteInt64LittleEndian(span[32..], producerMs);
        Fill(span[HeaderSize..], State(stream, seed, sequence));
        return media;
    }

    /// <summary>
    /// Reads the header of <paramref name="media"/> and checks that every byte is what <see cref="Create"/> makes for it.
    /// </summary>
    /// <returns>The header's values, or null when the media is not a whole fragment of the crash host.</returns>
    public static (int Stream, long Seed, long Sequence, long ProducerMs)? Verify(ReadOnlySpan<byte> media)
    {
        if (media.Length < HeaderSize
            || BinaryPrimitives.ReadUInt64LittleEndian(media) != Magic
            || BinaryPrimitives.ReadInt32LittleEndian(media[12..]) != media.Length)
        {
            return null;
        }

        var stream = BinaryPrimitives.ReadInt32LittleEndian(media[8..]);
        var seed = BinaryPrimitives.ReadInt64LittleEndian(media[16..]);
        var sequence = BinaryPrimitives.ReadInt64LittleEndian(media[24..]);
        var producerMs = BinaryPrimitives.ReadInt64LittleEndian(media[32..]);
        var expected = new byte[media.Length - HeaderSize];
        Fill(expected, State(stream, seed, sequence));
        return media[HeaderSize..].SequenceEqual(expected) ? (stream, seed, sequence, producerMs) : null;
    }

    private static ulong State(int stream, long seed, long sequence) =>
        Mix((ulong)seed ^ Mix(((ulong)(uint)stream << 40) ^ (ulong)sequence));

    // SplitMix64: cheap, and a different state for each fragment gives unrelated bytes.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EB;
        return z ^ (z >> 31);
    }

    private static void Fill(Span<byte> destination, ulong state)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(destination);
        for (var i = 0; i < words.Length; i++)
        {
            state += 0x9E37_79B9_7F4A_7C15;
            words[i] = Mix(state);
        }

        var rest = destination[(words.Length * sizeof(ulong))..];
        state += 0x9E37_79B9_7F4A_7C15;
        Span<byte> last = stackalloc byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(last, Mix(state));
        last[..rest.Length].CopyTo(rest);
    }
}
