using System.Buffers;

namespace VideoStreams.Server.Live;

/// <summary>
/// Where a stream's published frames live: small frames are copied one after another into a shared 64 KB block and
/// handed out as slices of it, so publishing a frame allocates nothing (a new block every 64 KB of frames, i.e. a few
/// per second at camera bitrates, instead of an array per frame); frames too big to pack get an array of their own.
/// </summary>
/// <remarks>
/// Blocks are never reused: the garbage collector frees a block once no subscriber holds a frame in it. A pooled,
/// reference-counted block would save those allocations too, but every subscriber would then have to release every
/// frame exactly once — including the events still queued when a slow subscriber is dropped and those a reader keeps
/// beyond its loop — and one missed or double release would hand a block to another stream while a reader still
/// decodes it (silent corruption instead of a little GC work). Slices of the ingest buffer itself are not possible:
/// it is compacted in place and returned to the pool as fragments end. Blocks stay under 85 KB so they are gen-0
/// objects, not large-object-heap ones. Not thread-safe: the hub copies under the stream's lock.
/// </remarks>
internal sealed class LiveFrameArena
{
    /// <summary>Size of a shared block (below the 85,000-byte large-object threshold).</summary>
    public const int BlockSize = 64 * 1024;

    /// <summary>Frames larger than this get their own array (packing them would waste most of a block).</summary>
    public const int LargestPacked = BlockSize / 4;

    private byte[] _block = [];
    private int _used;

    /// <summary>A copy of <paramref name="data"/> that stays valid as long as it is referenced.</summary>
    public ReadOnlyMemory<byte> Copy(in ReadOnlySequence<byte> data)
    {
        var length = checked((int)data.Length);
        if (length == 0)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        if (length > LargestPacked)
        {
            var own = GC.AllocateUninitializedArray<byte>(length);
            data.CopyTo(own);
            return own;
        }

        if (_block.Length - _used < length)
        {
            _block = GC.AllocateUninitializedArray<byte>(BlockSize);
            _used = 0;
        }

        var slice = _block.AsMemory(_used, length);
        data.CopyTo(slice.Span);
        _used += length;
        return slice;
    }
}
