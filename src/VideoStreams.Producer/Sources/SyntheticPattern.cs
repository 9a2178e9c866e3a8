using System.Buffers.Binary;

namespace VideoStreams.Producer.Sources;

/// <summary>
/// The machine-readable capture-time strip of the synthetic source: a row of <see cref="StripBlocks"/> black or white
/// blocks across the top of the frame, <see cref="StripHeight"/> rows high. From left to right: a start marker (white,
/// black), the capture time as 44 bits of Unix epoch milliseconds (most significant first, white = 1), a CRC-16/CCITT of
/// those bits, and an end marker (black, white). Blocks this large survive H.264 compression: a reader takes the
/// mean of each block's middle and compares it with mid-grey.
/// </summary>
public static class SyntheticPattern
{
    /// <summary>Blocks in the strip.</summary>
    public const int StripBlocks = 64;

    /// <summary>The narrowest frame the strip fits in (two pixels per block).</summary>
    public const int MinWidth = 2 * StripBlocks;

    /// <summary>The lowest frame the pattern fits in.</summary>
    public const int MinHeight = 64;

    private const int TimeBits = 44;
    private const int CheckBits = 16;

    /// <summary>Height in rows of the strip for a frame of <paramref name="height"/> rows: a twelfth, rounded up to whole macroblocks.</summary>
    public static int StripHeight(int height) => Math.Max(16, ((height / 12) + 15) & ~15);

    /// <summary>Writes the strip for <paramref name="epochMs"/> into the top rows of a BGR24 frame.</summary>
    /// <exception cref="ArgumentException">The frame is smaller than <see cref="MinWidth"/>×<see cref="MinHeight"/> or the buffer too short.</exception>
    public static void WriteCaptureTime(Span<byte> bgr24, int width, int height, long epochMs)
    {
        CheckFrame(bgr24.Length, width, height);
        ArgumentOutOfRangeException.ThrowIfNegative(epochMs);
        Span<bool> bits = stackalloc bool[StripBlocks];
        Encode(epochMs, bits);
        var stripHeight = StripHeight(height);
        var row = bgr24[..(width * 3)];
        for (var block = 0; block < StripBlocks; block++)
        {
            var x0 = BlockStart(block, width);
            var x1 = BlockStart(block + 1, width);
            row.Slice(x0 * 3, (x1 - x0) * 3).Fill(bits[block] ? (byte)255 : (byte)0);
        }

        for (var y = 1; y < stripHeight; y++)
        {
            row.CopyTo(bgr24.Slice(y * width * 3, width * 3));
        }
    }

    /// <summary>
    /// Reads the capture time back from a BGR24 frame (e.g. decoded by <c>ffmpeg -f rawvideo -pix_fmt bgr24</c> from a
    /// stored video). Returns false when the strip is not there or its check fails.
    /// </summary>
    /// <param name="bgr24">The frame, <paramref name="width"/>×<paramref name="height"/>×3 bytes, rows top to bottom.</param>
    /// <param name="width">Frame width in pixels.</param>
    /// <param name="height">Frame height in pixels.</param>
    /// <param name="epochMs">The capture time in ms since the Unix epoch.</param>
    public static bool TryReadCaptureTime(ReadOnlySpan<byte> bgr24, int width, int height, out long epochMs)
    {
        epochMs = 0;
        if (width < MinWidth || height < MinHeight || bgr24.Length < (long)width * height * 3)
        {
            return false;
        }

        var stripHeight = StripHeight(height);
        Span<bool> bits = stackalloc bool[StripBlocks];
        for (var block = 0; block < StripBlocks; block++)
        {
            var x0 = BlockStart(block, width);
            var x1 = BlockStart(block + 1, width);
            var inset = (x1 - x0) / 4;
            var sum = 0L;
            var count = 0;
            for (var y = stripHeight / 4; y < stripHeight - (stripHeight / 4); y++)
            {
                var line = bgr24.Slice(((y * width) + x0 + inset) * 3, (x1 - x0 - (2 * inset)) * 3);
                foreach (var b in line)
                {
                    sum += b;
                }

                count += line.Length;
            }

            bits[block] = sum > 128L * count;
        }

        return TryDecode(bits, out epochMs);
    }

    private static int BlockStart(int block, int width) => block * width / StripBlocks;

    private static void CheckFrame(int length, int width, int height)
    {
        if (width < MinWidth || height < MinHeight)
        {
            throw new ArgumentException($"The synthetic pattern needs at least {MinWidth}x{MinHeight} pixels, not {width}x{height}.");
        }

        if (length < width * height * 3)
        {
            throw new ArgumentException($"A {width}x{height} BGR24 frame needs {width * height * 3} bytes, not {length}.");
        }
    }

    private static void Encode(long epochMs, Span<bool> bits)
    {
        var value = (ulong)epochMs & ((1UL << TimeBits) - 1);
        var crc = Crc16(value);
        bits[0] = true;
        bits[1] = false;
        for (var i = 0; i < TimeBits; i++)
        {
            bits[2 + i] = ((value >> (TimeBits - 1 - i)) & 1) != 0;
        }

        for (var i = 0; i < CheckBits; i++)
        {
            bits[2 + TimeBits + i] = ((crc >> (CheckBits - 1 - i)) & 1) != 0;
        }

        bits[StripBlocks - 2] = false;
        bits[StripBlocks - 1] = true;
    }

    private static bool TryDecode(ReadOnlySpan<bool> bits, out long epochMs)
    {
        epochMs = 0;
        if (!bits[0] || bits[1] || bits[StripBlocks - 2] || !bits[StripBlocks - 1])
        {
            return false;
        }

        ulong value = 0;
        for (var i = 0; i < TimeBits; i++)
        {
            value = (value << 1) | (bits[2 + i] ? 1UL : 0);
        }

        var crc = 0;
        for (var i = 0; i < CheckBits; i++)
        {
            crc = (crc << 1) | (bits[2 + TimeBits + i] ? 1 : 0);
        }

        if (crc != Crc16(value))
        {
            return false;
        }

        epochMs = (long)value;
        return true;
    }

    /// <summary>CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) of the value as six big-endian bytes.</summary>
    private static int Crc16(ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        var crc = 0xFFFF;
        foreach (var b in bytes[2..])
        {
            crc ^= b << 8;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ 0x1021) & 0xFFFF : (crc << 1) & 0xFFFF;
            }
        }

        return crc;
    }
}
