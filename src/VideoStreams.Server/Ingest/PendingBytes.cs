using System.Buffers;

namespace VideoStreams.Server.Ingest;

/// <summary>
/// The body bytes consumed since the last fragment ended, addressed by stream offset: the reader reports a cluster's
/// start only after its header and Timestamp are consumed (perhaps in earlier reads), so bytes are kept until it is
/// known whether they belong to a cluster. Outside clusters only small Segment-level elements pass through here.
/// </summary>
internal sealed class PendingBytes : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private int _length;

    /// <summary>Stream offset of the first byte held.</summary>
    public long Start { get; private set; }

    /// <summary>Stream offset just past the last byte held.</summary>
    public long End => Start + _length;

    public int Length => _length;

    public void Append(ReadOnlySequence<byte> bytes)
    {
        var needed = _length + (int)bytes.Length;
        if (needed > _buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }

        bytes.CopyTo(_buffer.AsSpan(_length));
        _length = needed;
    }

    /// <summary>Forgets everything before stream offset <paramref name="offset"/>.</summary>
    public void DropBefore(long offset)
    {
        var cut = (int)Math.Clamp(offset - Start, 0, _length);
        if (cut == 0)
        {
            return;
        }

        _buffer.AsSpan(cut, _length - cut).CopyTo(_buffer);
        _length -= cut;
        Start += cut;
    }

    /// <summary>Skips bytes without keeping them (a rejected fragment's rest): only offsets advance.</summary>
    public void Skip(long count)
    {
        DropBefore(End);
        Start += count;
    }

    /// <summary>A copy of [from, to).</summary>
    public byte[] Copy(long from, long to) => _buffer.AsSpan((int)(from - Start), (int)(to - from)).ToArray();

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}
