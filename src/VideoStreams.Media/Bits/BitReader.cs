namespace VideoStreams.Media.Bits;

/// <summary>
/// Reads a big-endian bit stream (most significant bit first) from a span, as H.264 RBSPs and MPEG-4 audio
/// configs are laid out. Every read is bounds-checked: running past the end throws
/// <see cref="MediaFormatException"/> with the error given at construction, never an index exception.
/// </summary>
public ref struct BitReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly MediaFormatError _error;
    private long _position;

    /// <summary>Creates a reader over <paramref name="data"/>.</summary>
    /// <param name="data">The bytes to read.</param>
    /// <param name="error">The reason reported when a read runs past the end or an Exp-Golomb code is too long.</param>
    public BitReader(ReadOnlySpan<byte> data, MediaFormatError error = MediaFormatError.Truncated)
    {
        _data = data;
        _error = error;
        _position = 0;
    }

    /// <summary>A copy of this reader at the same position that reports <paramref name="error"/> instead.</summary>
    internal readonly BitReader WithError(MediaFormatError error)
    {
        var copy = new BitReader(_data, error);
        copy._position = _position;
        return copy;
    }

    /// <summary>Bits read so far.</summary>
    public readonly long BitPosition => _position;

    /// <summary>Bits left before the end of the data.</summary>
    public readonly long BitsRemaining => (_data.Length * 8L) - _position;

    /// <summary>True when the position is on a byte boundary.</summary>
    public readonly bool IsByteAligned => (_position & 7) == 0;

    /// <summary>Reads one bit.</summary>
    public uint ReadBit()
    {
        if (_position >= _data.Length * 8L)
        {
            ThrowPastEnd();
        }

        var b = _data[(int)(_position >> 3)];
        var bit = (uint)(b >> (7 - (int)(_position & 7))) & 1;
        _position++;
        return bit;
    }

    /// <summary>Reads one bit as a flag.</summary>
    public bool ReadFlag() => ReadBit() != 0;

    /// <summary>Reads <paramref name="count"/> bits (0 to 32) as an unsigned number, first bit most significant.</summary>
    public uint ReadBits(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)count, 32u, nameof(count));
        if (count > BitsRemaining)
        {
            ThrowPastEnd();
        }

        ulong value = 0;
        while (count > 0)
        {
            var bitInByte = (int)(_position & 7);
            var available = 8 - bitInByte;
            var take = Math.Min(available, count);
            var b = _data[(int)(_position >> 3)];
            var bits = (b >> (available - take)) & ((1 << take) - 1);
            value = (value << take) | (uint)bits;
            _position += take;
            count -= take;
        }

        return (uint)value;
    }

    /// <summary>Reads an unsigned Exp-Golomb code, <c>ue(v)</c>. Codes longer than 32 bits of value are refused.</summary>
    public uint ReadUe()
    {
        var leadingZeros = 0;
        while (ReadBit() == 0)
        {
            leadingZeros++;
            if (leadingZeros > 31)
            {
                ThrowHelper.Throw(_error, "Exp-Golomb code longer than 32 bits", _position >> 3);
            }
        }

        // 2^lz - 1 + suffix: at most 2^32 - 2 for lz = 31, so it fits in uint.
        return (uint)((1UL << leadingZeros) - 1 + ReadBits(leadingZeros));
    }

    /// <summary>Reads a signed Exp-Golomb code, <c>se(v)</c>.</summary>
    public int ReadSe()
    {
        var k = ReadUe();
        var magnitude = (int)((k + 1UL) / 2);
        return (k & 1) != 0 ? magnitude : -magnitude;
    }

    /// <summary>Skips <paramref name="count"/> bits.</summary>
    public void Skip(long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > BitsRemaining)
        {
            ThrowPastEnd();
        }

        _position += count;
    }

    /// <summary>Skips to the next byte boundary (no-op when already aligned).</summary>
    public void AlignToByte() => _position = (_position + 7) & ~7L;

    private readonly void ThrowPastEnd() =>
        ThrowHelper.Throw(_error, "read past the end of the bit stream", _position >> 3);
}
