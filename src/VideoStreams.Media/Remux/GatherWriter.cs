using Microsoft.Win32.SafeHandles;

namespace VideoStreams.Media.Remux;

/// <summary>
/// Collects slices of memory and writes them to a file with one vectored write (pwritev) per batch, so a file
/// assembled from many pieces costs a few system calls and no copy in user space.
/// </summary>
internal sealed class GatherWriter(SafeFileHandle file, long offset)
{
    // Below the kernel's IOV_MAX (1024); 16 MiB keeps each call long enough to amortise it.
    private const int MaxPieces = 512;
    private const long MaxBytes = 16 << 20;

    private readonly List<ReadOnlyMemory<byte>> _pieces = new(MaxPieces);
    private long _offset = offset;
    private long _bytes;

    public void Add(ReadOnlyMemory<byte> piece)
    {
        if (piece.IsEmpty)
        {
            return;
        }

        _pieces.Add(piece);
        _bytes += piece.Length;
        if (_pieces.Count == MaxPieces || _bytes >= MaxBytes)
        {
            Flush();
        }
    }

    public void Flush()
    {
        if (_pieces.Count == 0)
        {
            return;
        }

        RandomAccess.Write(file, _pieces, _offset);
        _offset += _bytes;
        _bytes = 0;
        _pieces.Clear();
    }
}
