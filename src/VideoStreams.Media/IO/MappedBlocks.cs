using System.IO.MemoryMappedFiles;
using Microsoft.Win32.SafeHandles;

namespace VideoStreams.Media.IO;

/// <summary>A file as a series of mapped windows, front to back (see <see cref="MappedWindow"/>).</summary>
internal sealed class MappedBlocks : IDisposable
{
    private readonly MemoryMappedFile? _map;
    private readonly long _length;
    private readonly int _windowSize;
    private long _offset;

    public MappedBlocks(SafeFileHandle file, int windowSize)
    {
        _length = RandomAccess.GetLength(file);
        _windowSize = windowSize;
        // mmap refuses an empty file; there is nothing to map anyway.
        _map = _length == 0 ? null : MemoryMappedFile.CreateFromFile(file, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
    }

    /// <summary>The next window, or false at the end of the file. Dispose the window when its bytes are no longer needed.</summary>
    public bool TryTake(out MappedWindow? window)
    {
        if (_map is null || _offset >= _length)
        {
            window = null;
            return false;
        }

        var size = (int)Math.Min(_windowSize, _length - _offset);
        window = MappedWindow.Map(_map, _offset, size);
        _offset += size;
        return true;
    }

    public void Dispose() => _map?.Dispose();
}
