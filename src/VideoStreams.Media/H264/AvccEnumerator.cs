using System.Buffers.Binary;

namespace VideoStreams.Media.H264;

/// <summary>
/// Walks the NAL units of a length-prefixed (AVCC) access unit without allocating. Each <see cref="Current"/> is a
/// NAL unit with its header byte. Zero-length NAL units are skipped. Use it through
/// <see cref="H264Nal.EnumerateAvcc(ReadOnlySpan{byte}, int)"/>.
/// </summary>
public ref struct AvccEnumerator
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly int _lengthSize;
    private int _next;

    internal AvccEnumerator(ReadOnlySpan<byte> data, int lengthSize)
    {
        H264Nal.ValidateLengthSize(lengthSize);
        _data = data;
        _lengthSize = lengthSize;
        _next = 0;
        Current = default;
        CurrentOffset = -1;
    }

    /// <summary>The current NAL unit.</summary>
    public ReadOnlySpan<byte> Current { get; private set; }

    /// <summary>Offset of <see cref="Current"/> in the input (just past its length prefix).</summary>
    public int CurrentOffset { get; private set; }

    /// <summary>Returns this enumerator, so that <c>foreach</c> works.</summary>
    public readonly AvccEnumerator GetEnumerator() => this;

    /// <summary>Moves to the next non-empty NAL unit.</summary>
    /// <exception cref="MediaFormatException">A length prefix is cut short or runs past the end of the data.</exception>
    public bool MoveNext()
    {
        while (_next < _data.Length)
        {
            var prefixAt = _next;
            if (_data.Length - prefixAt < _lengthSize)
            {
                ThrowHelper.Throw(MediaFormatError.InvalidNalUnit, "NAL length prefix cut short", prefixAt);
            }

            var prefix = _data.Slice(prefixAt, _lengthSize);
            var length = _lengthSize switch
            {
                1 => prefix[0],
                2 => BinaryPrimitives.ReadUInt16BigEndian(prefix),
                _ => BinaryPrimitives.ReadUInt32BigEndian(prefix),
            };
            var start = prefixAt + _lengthSize;
            if (length > (uint)(_data.Length - start))
            {
                ThrowHelper.Throw(MediaFormatError.InvalidNalUnit, $"NAL length {length} runs past the end of the data", prefixAt);
            }

            _next = start + (int)length;
            if (length != 0)
            {
                Current = _data.Slice(start, (int)length);
                CurrentOffset = start;
                return true;
            }
        }

        Current = default;
        CurrentOffset = -1;
        return false;
    }
}
