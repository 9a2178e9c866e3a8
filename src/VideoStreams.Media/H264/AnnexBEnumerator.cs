namespace VideoStreams.Media.H264;

/// <summary>
/// Walks the NAL units of an Annex B byte stream (start codes <c>00 00 01</c> or <c>00 00 00 01</c>) without
/// allocating. Each <see cref="Current"/> is a NAL unit with its header byte, without start code and without
/// trailing zero bytes. Empty NAL units are skipped. Use it through
/// <see cref="H264Nal.EnumerateAnnexB(ReadOnlySpan{byte})"/>.
/// </summary>
public ref struct AnnexBEnumerator
{
    private readonly ReadOnlySpan<byte> _data;
    private int _next;
    private bool _started;

    internal AnnexBEnumerator(ReadOnlySpan<byte> data)
    {
        _data = data;
        _next = 0;
        _started = false;
        Current = default;
        CurrentOffset = -1;
    }

    /// <summary>The current NAL unit.</summary>
    public ReadOnlySpan<byte> Current { get; private set; }

    /// <summary>Offset of <see cref="Current"/> in the input.</summary>
    public int CurrentOffset { get; private set; }

    /// <summary>Returns this enumerator, so that <c>foreach</c> works.</summary>
    public readonly AnnexBEnumerator GetEnumerator() => this;

    /// <summary>Moves to the next non-empty NAL unit.</summary>
    /// <exception cref="MediaFormatException">Non-zero bytes precede the first start code.</exception>
    public bool MoveNext()
    {
        if (!_started)
        {
            _started = true;
            var first = _data.IndexOf(H264Nal.StartCode);
            var leading = first < 0 ? _data : _data[..first];
            var garbage = leading.IndexOfAnyExcept((byte)0);
            if (garbage >= 0)
            {
                ThrowHelper.Throw(MediaFormatError.InvalidNalUnit, "Annex B data does not begin with a start code", garbage);
            }

            _next = first < 0 ? _data.Length : first + 3;
        }

        while (_next < _data.Length)
        {
            var start = _next;
            var rest = _data[start..];
            var end = rest.IndexOf(H264Nal.StartCode);
            if (end < 0)
            {
                end = rest.Length;
                _next = _data.Length;
            }
            else
            {
                _next = start + end + 3;
            }

            // A NAL unit never ends in a zero byte (H.264 7.4.1), so trailing zeros are trailing_zero_8bits or the
            // first byte of the next four-byte start code.
            var nal = rest[..end].TrimEnd((byte)0);
            if (!nal.IsEmpty)
            {
                Current = nal;
                CurrentOffset = start;
                return true;
            }
        }

        Current = default;
        CurrentOffset = -1;
        return false;
    }
}
