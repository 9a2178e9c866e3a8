using System.Buffers;
using System.IO.MemoryMappedFiles;

namespace VideoStreams.Media.IO;

/// <summary>
/// A read-only view of part of a file, mapped into memory and exposed as <see cref="Memory{T}"/>. Parsing it reads the
/// page cache in place: no copy into a user buffer, and only the pages touched are faulted in. Disposing unmaps it, so
/// a reader walking a file window by window never keeps more than a window or two resident.
/// </summary>
/// <remarks>
/// Measured here: handing slices of a mapped window to a gather write is slower than reading into a buffer first (the
/// kernel faults the pages in one by one during the copy), so writers read; only parsers map.
/// </remarks>
internal sealed unsafe class MappedWindow : MemoryManager<byte>
{
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _pointer;
    private readonly int _length;
    private bool _released;

    private MappedWindow(MemoryMappedViewAccessor view, int length)
    {
        _view = view;
        _length = length;
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _pointer = pointer + view.PointerOffset;
    }

    /// <summary>Maps <paramref name="length"/> bytes of <paramref name="file"/> from <paramref name="start"/>.</summary>
    public static MappedWindow Map(MemoryMappedFile file, long start, int length) =>
        new(file.CreateViewAccessor(start, length, MemoryMappedFileAccess.Read), length);

    /// <inheritdoc/>
    public override Span<byte> GetSpan() => new(_pointer, _length);

    /// <inheritdoc/>
    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    /// <inheritdoc/>
    public override void Unpin()
    {
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (!_released)
        {
            _released = true;
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
    }
}
