using System.Buffers;

namespace VideoStreams.Producer.Sources;

/// <summary>
/// Cuts an Annex B byte stream, arriving in chunks of any size, into access units at each access unit delimiter
/// (NAL type 9, which libx264 writes with <c>aud=1</c>). The bytes collect in one pooled buffer that grows to the
/// largest access unit and is then reused: nothing is allocated per access unit.
/// </summary>
internal sealed class AccessUnitSplitter : IDisposable
{
    private const byte AudType = 9;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
    private int _length;
    private int _scanned;
    private int _unitStart = -1;

    /// <summary>Where the next chunk must be written; call <see cref="Advance"/> with the count written.</summary>
    public Memory<byte> GetMemory(int sizeHint = 64 * 1024)
    {
        if (_buffer.Length - _length < sizeHint)
        {
            var start = Math.Max(_unitStart, 0);
            var kept = _length - start;
            if (start > 0 && kept + sizeHint <= _buffer.Length)
            {
                _buffer.AsSpan(start, kept).CopyTo(_buffer);
            }
            else
            {
                var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, kept + sizeHint));
                _buffer.AsSpan(start, kept).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = bigger;
            }

            _length = kept;
            _scanned -= start;
            if (_unitStart > 0)
            {
                _unitStart = 0;
            }
        }

        return _buffer.AsMemory(_length);
    }

    /// <summary>Records <paramref name="count"/> bytes written into <see cref="GetMemory"/>.</summary>
    public void Advance(int count) => _length += count;

    /// <summary>Finds the next complete access unit (one followed by another delimiter). Valid until the next call.</summary>
    public bool TryTake(out ReadOnlySpan<byte> accessUnit)
    {
        // A start code is 00 00 01 followed by the NAL header: four bytes must be there to judge one.
        while (_scanned + 4 <= _length)
        {
            var rest = _buffer.AsSpan(_scanned, _length - _scanned);
            var i = rest.IndexOf((ReadOnlySpan<byte>)[0, 0, 1]);
            if (i < 0 || i + 4 > rest.Length)
            {
                _scanned = i < 0 ? Math.Max(_scanned, _length - 3) : _scanned + i;
                break;
            }

            var at = _scanned + i;
            _scanned = at + 3;
            if ((_buffer[at + 3] & 0x1F) != AudType)
            {
                continue;
            }

            // A four-byte start code belongs to the delimiter too.
            var begin = at > 0 && _buffer[at - 1] == 0 ? at - 1 : at;
            if (_unitStart < 0 || begin <= _unitStart)
            {
                _unitStart = begin;
                continue;
            }

            accessUnit = _buffer.AsSpan(_unitStart, begin - _unitStart);
            _unitStart = begin;
            return true;
        }

        accessUnit = default;
        return false;
    }

    /// <summary>At the end of the stream: the last access unit, if any bytes are left.</summary>
    public bool TryTakeLast(out ReadOnlySpan<byte> accessUnit)
    {
        if (_unitStart >= 0 && _unitStart < _length)
        {
            accessUnit = _buffer.AsSpan(_unitStart, _length - _unitStart);
            _unitStart = _length;
            return true;
        }

        accessUnit = default;
        return false;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
