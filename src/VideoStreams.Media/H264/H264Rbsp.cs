namespace VideoStreams.Media.H264;

/// <summary>
/// Conversion between a NAL unit's payload as sent (with emulation-prevention bytes) and its raw byte sequence
/// payload (RBSP), which is what the bit-level syntax (SPS, PPS, slice headers) is defined over.
/// </summary>
public static class H264Rbsp
{
    private static ReadOnlySpan<byte> EmulationPattern => [0, 0, 3];

    /// <summary>
    /// Copies <paramref name="source"/> into <paramref name="destination"/> without its emulation-prevention bytes
    /// (the <c>03</c> of every <c>00 00 03</c>). The result is never longer than the input.
    /// </summary>
    /// <param name="source">A NAL unit or part of one.</param>
    /// <param name="destination">Output, at least as long as <paramref name="source"/> (a stackalloc'd or pooled buffer).</param>
    /// <returns>Bytes written.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <paramref name="source"/>.</exception>
    public static int Unescape(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (destination.Length < source.Length)
        {
            throw new ArgumentException("destination must be at least as long as source", nameof(destination));
        }

        var written = 0;
        while (true)
        {
            var at = source.IndexOf(EmulationPattern);
            if (at < 0)
            {
                source.CopyTo(destination[written..]);
                return written + source.Length;
            }

            // Keep the two zeros, drop the 03, and start counting zeros afresh after it.
            source[..(at + 2)].CopyTo(destination[written..]);
            written += at + 2;
            source = source[(at + 3)..];
        }
    }

    /// <summary>Bytes <see cref="Escape"/> will write for <paramref name="rbsp"/>.</summary>
    public static int GetEscapedSize(ReadOnlySpan<byte> rbsp)
    {
        var size = rbsp.Length;
        var zeros = 0;
        foreach (var b in rbsp)
        {
            if (zeros >= 2 && b <= 3)
            {
                size++;
                zeros = 0;
            }

            zeros = b == 0 ? zeros + 1 : 0;
        }

        return zeros >= 2 ? size + 1 : size;
    }

    /// <summary>
    /// Copies an RBSP into <paramref name="destination"/>, inserting an emulation-prevention byte wherever two zero
    /// bytes are followed by a byte of 0 to 3, so that no start code can appear inside the NAL unit, and a final 03 when
    /// the RBSP ends in two zero bytes (a <c>cabac_zero_word</c>).
    /// </summary>
    /// <returns>Bytes written.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="GetEscapedSize"/>.</exception>
    public static int Escape(ReadOnlySpan<byte> rbsp, Span<byte> destination)
    {
        if (destination.Length < GetEscapedSize(rbsp))
        {
            throw new ArgumentException("destination is too short; size it with GetEscapedSize", nameof(destination));
        }

        var written = 0;
        var zeros = 0;
        foreach (var b in rbsp)
        {
            if (zeros >= 2 && b <= 3)
            {
                destination[written++] = 3;
                zeros = 0;
            }

            destination[written++] = b;
            zeros = b == 0 ? zeros + 1 : 0;
        }

        if (zeros >= 2)
        {
            // A NAL unit must not end in a zero byte (H.264 7.4.1): trailing cabac_zero_words get a final 03.
            destination[written++] = 3;
        }

        return written;
    }
}
