using System.Buffers;

namespace VideoStreams.Media.Ebml;

/// <summary>
/// A pooled scratch buffer for small master elements (EBML header, Info, Tracks, Tags) whose sizes are known only
/// once their children are written. <see cref="BeginMaster"/> reserves an 8-byte size field; <see cref="EndMaster"/>
/// back-patches it in the shortest width and closes the gap. Back-patching cannot be done on an arbitrary
/// <see cref="IBufferWriter{T}"/> (its memory may be flushed once advanced), hence this buffer, copied out at the end.
/// </summary>
internal sealed class EbmlWriterBuffer : IBufferWriter<byte>, IDisposable
{
    private const int ReservedSizeWidth = 8;
    private byte[] _buffer;
    private int _written;

    public EbmlWriterBuffer(int initialCapacity = 1024) => _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);

    public int WrittenCount => _written;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _written);
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Writes the id and reserves the size field; returns the token for <see cref="EndMaster"/>.</summary>
    public int BeginMaster(uint id)
    {
        EbmlWriter.WriteId(this, id);
        var token = _written;
        Ensure(ReservedSizeWidth);
        _written += ReservedSizeWidth;
        return token;
    }

    /// <summary>Patches the size of the master opened at <paramref name="token"/> (its children are all written).</summary>
    public void EndMaster(int token)
    {
        var payloadStart = token + ReservedSizeWidth;
        var payload = _written - payloadStart;
        var width = EbmlWriter.SizeLength((ulong)payload);
        EbmlWriter.WriteSize(_buffer.AsSpan(token, width), (ulong)payload, width);
        if (width < ReservedSizeWidth)
        {
            // Masters close innermost first, so shifting this payload moves no open master's size field.
            _buffer.AsSpan(payloadStart, payload).CopyTo(_buffer.AsSpan(token + width));
            _written -= ReservedSizeWidth - width;
        }
    }

    public void Clear() => _written = 0;

    /// <summary>Copies what was written to <paramref name="output"/> and returns the byte count.</summary>
    public int CopyTo(IBufferWriter<byte> output)
    {
        EbmlWriter.WriteBytes(output, WrittenSpan);
        return _written;
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _written = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Ensure(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= sizeHint)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(checked(Math.Max(_buffer.Length * 2, _written + sizeHint)));
        _buffer.AsSpan(0, _written).CopyTo(larger);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = larger;
    }
}
