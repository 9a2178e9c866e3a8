namespace VideoStreams.Media.Bits;

/// <summary>
/// Writes a big-endian bit stream (most significant bit first) into a caller's span. Writing past the end of the
/// span is a programming error and throws <see cref="ArgumentException"/>.
/// </summary>
public ref struct BitWriter
{
    private readonly Span<byte> _destination;
    private long _position;

    /// <summary>Creates a writer that starts at the first bit of <paramref name="destination"/>.</summary>
    public BitWriter(Span<byte> destination)
    {
        _destination = destination;
        _position = 0;
    }

    /// <summary>Bits written so far.</summary>
    public readonly long BitPosition => _position;

    /// <summary>Bytes touched so far, counting a partly written last byte.</summary>
    public readonly int BytesWritten => (int)((_position + 7) >> 3);

    /// <summary>Writes one bit.</summary>
    public void WriteBit(bool bit)
    {
        var index = (int)(_position >> 3);
        if (index >= _destination.Length)
        {
            ThrowFull();
        }

        var shift = 7 - (int)(_position & 7);
        if (shift == 7)
        {
            // First bit of a fresh byte: clear whatever the caller's buffer held.
            _destination[index] = 0;
        }

        if (bit)
        {
            _destination[index] |= (byte)(1 << shift);
        }

        _position++;
    }

    /// <summary>Writes the low <paramref name="count"/> bits (0 to 32) of <paramref name="value"/>, most significant first.</summary>
    public void WriteBits(uint value, int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)count, 32u, nameof(count));
        for (var i = count - 1; i >= 0; i--)
        {
            WriteBit(((value >> i) & 1) != 0);
        }
    }

    /// <summary>Writes an unsigned Exp-Golomb code, <c>ue(v)</c>; values up to 2^32 − 2.</summary>
    public void WriteUe(uint value)
    {
        ArgumentOutOfRangeException.ThrowIfEqual(value, uint.MaxValue);
        var codeNum = (ulong)value + 1;
        var bits = 64 - System.Numerics.BitOperations.LeadingZeroCount(codeNum);
        WriteBits(0, bits - 1);
        for (var i = bits - 1; i >= 0; i--)
        {
            WriteBit(((codeNum >> i) & 1) != 0);
        }
    }

    /// <summary>Writes a signed Exp-Golomb code, <c>se(v)</c>.</summary>
    public void WriteSe(int value)
    {
        ArgumentOutOfRangeException.ThrowIfEqual(value, int.MinValue);
        WriteUe(value > 0 ? (uint)((2L * value) - 1) : (uint)(-2L * value));
    }

    /// <summary>Pads with zero bits up to the next byte boundary.</summary>
    public void AlignWithZeros()
    {
        while ((_position & 7) != 0)
        {
            WriteBit(false);
        }
    }

    /// <summary>Writes <c>rbsp_trailing_bits()</c>: a one bit, then zero bits to the byte boundary.</summary>
    public void WriteTrailingBits()
    {
        WriteBit(true);
        AlignWithZeros();
    }

    private static void ThrowFull() => throw new ArgumentException("destination is too short for the bits written");
}
