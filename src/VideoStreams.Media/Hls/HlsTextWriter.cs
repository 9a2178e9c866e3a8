using System.Buffers;
using System.Globalization;
using System.Text;

namespace VideoStreams.Media.Hls;

/// <summary>
/// Appends playlist text as UTF-8 straight into the output: literals are u8 spans and numbers are formatted in
/// place, so a playlist costs no allocation per line (servers rewrite live playlists every part).
/// </summary>
internal readonly ref struct HlsTextWriter
{
    private readonly IBufferWriter<byte> _output;

    public HlsTextWriter(IBufferWriter<byte> output) => _output = output;

    public void Write(ReadOnlySpan<byte> literal)
    {
        var span = _output.GetSpan(literal.Length);
        literal.CopyTo(span);
        _output.Advance(literal.Length);
    }

    public void WriteLine(ReadOnlySpan<byte> literal)
    {
        Write(literal);
        NewLine();
    }

    public void NewLine()
    {
        var span = _output.GetSpan(1);
        span[0] = (byte)'\n';
        _output.Advance(1);
    }

    public void Write(long value)
    {
        var span = _output.GetSpan(20);
        if (!value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("a long always fits 20 bytes");
        }

        _output.Advance(written);
    }

    /// <summary>A decimal-floating-point with three decimals, invariant culture (never a comma).</summary>
    public void WriteDecimal(double value)
    {
        // Values are validated finite and below 1e9, so 32 bytes always suffice. -0 would print as "-0.000".
        if (value == 0)
        {
            value = 0;
        }

        var span = _output.GetSpan(32);
        if (!value.TryFormat(span, out var written, "F3", CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("a validated decimal always fits 32 bytes");
        }

        _output.Advance(written);
    }

    /// <summary>ISO 8601 with milliseconds: <c>Z</c> for UTC, else the offset (<c>+02:00</c>).</summary>
    public void WriteDateTime(DateTimeOffset value)
    {
        var span = _output.GetSpan(40);
        var format = value.Offset == TimeSpan.Zero ? "yyyy-MM-dd'T'HH:mm:ss.fff'Z'" : "yyyy-MM-dd'T'HH:mm:ss.fffzzz";
        if (!value.TryFormat(span, out var written, format, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("a date-time always fits 40 bytes");
        }

        _output.Advance(written);
    }

    /// <summary>Text already validated (no CR, LF or quote where those matter), as UTF-8.</summary>
    public void WriteText(string value)
    {
        var span = _output.GetSpan(Encoding.UTF8.GetMaxByteCount(value.Length));
        var written = Encoding.UTF8.GetBytes(value, span);
        _output.Advance(written);
    }

    /// <summary><c>"value"</c>.</summary>
    public void WriteQuoted(string value)
    {
        Write("\""u8);
        WriteText(value);
        Write("\""u8);
    }

    /// <summary><c>length[@offset]</c>.</summary>
    public void WriteByteRange(HlsByteRange range)
    {
        Write(range.Length);
        if (range.Offset is { } offset)
        {
            Write("@"u8);
            Write(offset);
        }
    }

    /// <summary>Writes <c>,NAME=value</c> when there is a value (<paramref name="name"/> includes the comma and '=').</summary>
    public void Attribute(ReadOnlySpan<byte> name, long? value)
    {
        if (value is { } v)
        {
            Write(name);
            Write(v);
        }
    }

    /// <summary>Writes <c>,NAME="value"</c> when there is a value (<paramref name="name"/> includes the comma and '=').</summary>
    public void QuotedAttribute(ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            Write(name);
            WriteQuoted(value);
        }
    }
}
