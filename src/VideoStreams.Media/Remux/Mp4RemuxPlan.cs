using System.Buffers;
using System.IO.MemoryMappedFiles;
using System.Runtime.ExceptionServices;
using Microsoft.Win32.SafeHandles;
using VideoStreams.Media.IO;
using VideoStreams.Media.Mp4;

namespace VideoStreams.Media.Remux;

/// <summary>
/// A planned Matroska → MP4 remux: the complete MP4 layout plus where each sample's bytes are in the source. Writing is
/// a sequence of copies; a byte range of the MP4 can be produced alone through <see cref="Layout"/>'s MapRange and
/// <see cref="SourceOffset"/>.
/// </summary>
public sealed class Mp4RemuxPlan
{
    private const int WindowSize = 8 << 20;
    private const int WindowLead = 1 << 20;
    private readonly long[][] _sourceOffsets;
    private readonly Mp4Sample[][] _samples;

    internal Mp4RemuxPlan(Mp4FileLayout layout, RemuxTrack[] tracks, Mp4Sample[][] samples, long[][] sourceOffsets, int droppedFrames)
    {
        Layout = layout;
        _samples = samples;
        Tracks = tracks;
        _sourceOffsets = sourceOffsets;
        DroppedFrames = droppedFrames;
    }

    /// <summary>The MP4 file's layout: header bytes, chunks, size.</summary>
    public Mp4FileLayout Layout { get; }

    /// <summary>The tracks, in MP4 track order.</summary>
    public IReadOnlyList<RemuxTrack> Tracks { get; }

    /// <summary>Video frames left out because they came before the first keyframe.</summary>
    public int DroppedFrames { get; }

    /// <summary>Offset in the source of a sample's first byte.</summary>
    public long SourceOffset(int trackIndex, int sampleIndex) => _sourceOffsets[trackIndex][sampleIndex];

    /// <summary>Writes the MP4 for a source held in memory into a buffer.</summary>
    public void WriteTo(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        destination.Write(Layout.Header.Span);
        foreach (var chunk in Layout.Chunks)
        {
            var offsets = _sourceOffsets[chunk.TrackIndex];
            var sizes = _samples[chunk.TrackIndex];
            for (var i = chunk.FirstSample; i < chunk.FirstSample + chunk.SampleCount; i++)
            {
                destination.Write(source.Slice(checked((int)offsets[i]), sizes[i].Size));
            }
        }
    }

    /// <summary>
    /// Writes the MP4 into a file, taking frames from the source file window by window: chunks come in time order and
    /// so do the frames in a Matroska file, so each window of the source is visited once.
    /// </summary>
    /// <remarks>
    /// Two stages on two threads: one prepares windows of the source, this one writes their frames with gather writes
    /// (one system call per batch). Preparing and writing overlap, and only one thread writes, so the destination's
    /// inode lock is never contended. On Linux a window is the source's page cache itself, mapped and populated in one
    /// call, so each byte is copied once, by the kernel, into the destination; elsewhere windows are read into buffers.
    /// </remarks>
    /// <param name="source">The Matroska file the plan was made from.</param>
    /// <param name="destination">An open file; the MP4 is written at <paramref name="fileOffset"/>.</param>
    /// <param name="fileOffset">Where in <paramref name="destination"/> the MP4 starts.</param>
    /// <exception cref="MediaFormatException">The source is shorter than when it was planned.</exception>
    public void WriteTo(SafeFileHandle source, SafeFileHandle destination, long fileOffset = 0) =>
        WriteTo(source, destination, fileOffset, mapSource: true);

    /// <summary>As <see cref="WriteTo(SafeFileHandle, SafeFileHandle, long)"/>; <paramref name="mapSource"/> false reads windows into buffers instead of mapping them.</summary>
    internal void WriteTo(SafeFileHandle source, SafeFileHandle destination, long fileOffset, bool mapSource)
    {
        RandomAccess.Write(destination, Layout.Header.Span, fileOffset);
        if (Layout.Chunks.Count == 0)
        {
            return;
        }

        var windows = new HandoffQueue<Window>(capacity: 2);
        // At most three windows exist at once: one being prepared, one queued, one being written.
        var free = new HandoffQueue<byte[]?>(capacity: 3);
        for (var i = 0; i < 3; i++)
        {
            free.TryAdd(null);
        }

        Exception? failure = null;
        var reader = new Thread(() =>
        {
            try
            {
                using var windowSource = new SourceWindows(source, mapSource);
                PrepareWindows(windowSource, windows, free);
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                windows.Complete();
            }
        })
        { IsBackground = true, Name = "mp4 source read" };
        reader.Start();
        try
        {
            var writer = new GatherWriter(destination, fileOffset + Layout.Header.Length);
            while (windows.TryTake(out var window))
            {
                try
                {
                    foreach (var (start, length) in window.Pieces)
                    {
                        writer.Add(window.Memory.Slice(start, length));
                    }

                    writer.Flush();
                }
                finally
                {
                    free.TryAdd(window.Release());
                }
            }
        }
        finally
        {
            // Unblocks the reader if writing failed, then returns every buffer and unmaps every window.
            free.Complete();
            windows.Complete();
            reader.Join();
            while (windows.TryTakeLeftover(out var left))
            {
                Return(left.Release());
            }

            while (free.TryTakeLeftover(out var buffer))
            {
                Return(buffer);
            }
        }

        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    private static void Return(byte[]? buffer)
    {
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The prepare stage: makes windows in output order and lists, for each, the frames it holds.</summary>
    private void PrepareWindows(SourceWindows source, HandoffQueue<Window> windows, HandoffQueue<byte[]?> free)
    {
        Window? current = null;
        try
        {
            foreach (var chunk in Layout.Chunks)
            {
                var offsets = _sourceOffsets[chunk.TrackIndex];
                var samples = _samples[chunk.TrackIndex];
                for (var i = chunk.FirstSample; i < chunk.FirstSample + chunk.SampleCount; i++)
                {
                    var (offset, size) = (offsets[i], samples[i].Size);
                    if (current is null || offset < current.Start || offset + size > current.Start + current.Length)
                    {
                        if (current is not null)
                        {
                            var queued = windows.TryAdd(current);
                            if (!queued)
                            {
                                return;
                            }

                            current = null;
                        }

                        if (!free.TryTake(out var buffer))
                        {
                            return;
                        }

                        // Start a little early: the other track's next chunk usually begins just before this sample.
                        current = source.Open(Math.Max(0, offset - WindowLead), Math.Max(WindowSize, size + WindowLead), buffer);
                        if (offset + size > current.Start + current.Length)
                        {
                            ThrowHelper.Throw(MediaFormatError.Truncated, "the source file is shorter than when it was planned", offset);
                        }
                    }

                    current.Pieces.Add(((int)(offset - current.Start), size));
                }
            }

            if (current is not null && windows.TryAdd(current))
            {
                current = null;
            }
        }
        finally
        {
            // A window that never reached the writer.
            if (current is not null)
            {
                Return(current.Release());
            }
        }
    }

    /// <summary>Where windows come from: mapped pages of the source, or buffers read from it.</summary>
    private sealed class SourceWindows : IDisposable
    {
        private readonly SafeFileHandle _file;
        private readonly long _length;
        private readonly MemoryMappedFile? _map;
        private bool _mapping;

        public SourceWindows(SafeFileHandle file, bool map)
        {
            _file = file;
            _length = RandomAccess.GetLength(file);
            // mmap refuses an empty file; nothing would be read from it anyway.
            _mapping = map && OperatingSystem.IsLinux() && _length > 0;
            _map = _mapping ? MemoryMappedFile.CreateFromFile(file, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true) : null;
        }

        /// <summary>
        /// Up to <paramref name="size"/> bytes from <paramref name="start"/>, fewer at the end of the file. Maps only
        /// what the file holds, so no page beyond its end is ever touched; falls back to reading for good if the kernel
        /// cannot populate a mapping (before Linux 5.14).
        /// </summary>
        public Window Open(long start, int size, byte[]? buffer)
        {
            var length = (int)Math.Clamp(_length - start, 0, size);
            if (_mapping && length > 0)
            {
                var mapped = MappedWindow.Map(_map!, start, length);
                if (mapped.Populate())
                {
                    return new Window(buffer, mapped, start, length);
                }

                ((IDisposable)mapped).Dispose();
                _mapping = false;
            }

            if (buffer is null || buffer.Length < size)
            {
                Return(buffer);
                buffer = ArrayPool<byte>.Shared.Rent(size);
            }

            return new Window(buffer, null, start, ReadFully(_file, buffer.AsSpan(0, size), start));
        }

        public void Dispose() => _map?.Dispose();
    }

    /// <summary>A window of the source and the frames to write from it, in output order.</summary>
    private sealed class Window(byte[]? buffer, MappedWindow? mapped, long start, int length)
    {
        public long Start { get; } = start;

        public int Length { get; } = length;

        public Memory<byte> Memory => mapped is not null ? mapped.Memory : buffer.AsMemory(0, Length);

        public List<(int Start, int Length)> Pieces { get; } = [];

        /// <summary>Unmaps a mapped window; hands back the buffer of a read one, for the next window.</summary>
        public byte[]? Release()
        {
            ((IDisposable?)mapped)?.Dispose();
            return buffer;
        }
    }

    /// <summary>The MP4 samples of a track, in decode order.</summary>
    public ReadOnlySpan<Mp4Sample> Samples(int trackIndex) => _samples[trackIndex];


    private static int ReadFully(SafeFileHandle source, Span<byte> buffer, long offset)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = RandomAccess.Read(source, buffer[total..], offset + total);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }
}
