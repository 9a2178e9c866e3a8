using System.Buffers;
using VideoStreams.Storage.Files;
using VideoStreams.Storage.Format;

namespace VideoStreams.Storage.Log;

/// <summary>
/// One chunk file of a log: a <see cref="ChunkHeader"/>, then records back to back. Appends go at the tail and are not
/// durable until <see cref="Sync"/>; a failed append is cut off again, so the file never keeps half a record it
/// acknowledged writing.
/// </summary>
internal sealed class LogChunk : IDisposable
{
    private readonly IStorageFile _file;

    private LogChunk(IStorageFile file, ChunkHeader header, long tail)
    {
        _file = file;
        Header = header;
        Tail = tail;
    }

    public ChunkHeader Header { get; }

    public long Id => Header.ChunkId;

    public string Path => _file.Path;

    /// <summary>Where the next record goes; everything before it has been written (not necessarily synced).</summary>
    public long Tail { get; private set; }

    /// <summary>
    /// False for a chunk created in this process until its directory has been synced: its data may be durable and its
    /// name still lost in a power cut, so the committer syncs the directory before acknowledging anything in it.
    /// </summary>
    public bool DirectoryEntryDurable { get; set; } = true;

    /// <summary>Creates the chunk file with its header. The caller syncs its directory before anything in it is acknowledged.</summary>
    public static LogChunk Create(IStorageFileSystem files, string path, ChunkHeader header)
    {
        var file = files.Create(path);
        try
        {
            Span<byte> bytes = stackalloc byte[ChunkHeader.Size];
            header.Write(bytes);
            file.Write(bytes, 0);
            return new LogChunk(file, header, ChunkHeader.Size) { DirectoryEntryDurable = false };
        }
        catch
        {
            file.Dispose();
            files.Delete(path);
            throw;
        }
    }

    /// <summary>Opens an existing chunk and checks its header; the tail is the file's length until recovery says otherwise.</summary>
    /// <exception cref="CorruptSegmentException">The header is not a valid chunk header.</exception>
    public static LogChunk Open(IStorageFileSystem files, string path, bool writable)
    {
        var file = files.Open(path, writable);
        try
        {
            Span<byte> bytes = stackalloc byte[ChunkHeader.Size];
            var read = ReadFully(file, bytes, 0);
            if (!ChunkHeader.TryRead(bytes[..read], out var header, out var problem))
            {
                throw new CorruptSegmentException(path, 0, problem!);
            }

            return new LogChunk(file, header, file.Length);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Writes a record at the tail and returns its offset. On failure nothing of it stays in the file.</summary>
    public long Append(ReadOnlySpan<byte> record)
    {
        var offset = Tail;
        try
        {
            _file.Write(record, offset);
        }
        catch (IOException)
        {
            TryTruncate(offset);
            throw;
        }

        Tail = offset + record.Length;
        return offset;
    }

    public void Sync() => _file.Sync();

    /// <summary>Cuts a torn tail (recovery) or a failed append.</summary>
    public void Truncate(long length)
    {
        _file.Truncate(length);
        Tail = length;
    }

    /// <summary>Reads exactly <paramref name="destination"/>'s length at <paramref name="offset"/>; false if the file is shorter.</summary>
    public bool TryReadExactly(long offset, Span<byte> destination) => ReadFully(_file, destination, offset) == destination.Length;

    /// <summary>
    /// Walks the records from <paramref name="from"/>, checking each header and body checksum, and hands each valid one to
    /// <paramref name="onRecord"/>. Stops at the end of the file or at the first record that fails a check — except a
    /// record whose header is sound but whose body is not, when another sound header follows it: that is damage in the
    /// middle (bit rot), not a torn tail, so it is reported to <paramref name="onCorrupt"/> and scanning goes on.
    /// </summary>
    /// <returns>The offset just past the last valid record, and why scanning stopped there (null at a clean end).</returns>
    public (long ValidEnd, string? Problem) Scan(long from, RecordVisitor onRecord, Action<long, string>? onCorrupt = null)
    {
        var length = _file.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            var offset = from;
            while (offset < length)
            {
                if (!TryReadExactly(offset, buffer.AsSpan(0, (int)Math.Min(RecordHeader.Size, length - offset)))
                    || !RecordHeader.TryRead(buffer.AsSpan(0, (int)Math.Min(RecordHeader.Size, length - offset)), out var header, out var problem))
                {
                    return (offset, length - offset < RecordHeader.Size ? "record header cut short" : "invalid record header");
                }

                if (offset + header.TotalLength > length)
                {
                    return (offset, "record cut short");
                }

                if (buffer.Length < header.TotalLength)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(header.TotalLength);
                }

                var record = buffer.AsSpan(0, header.TotalLength);
                if (!TryReadExactly(offset, record))
                {
                    return (offset, "record cut short");
                }

                var body = record[RecordHeader.Size..];
                if (Crc32C.Compute(body) != header.BodyCrc)
                {
                    if (onCorrupt is null || !HeaderFollows(offset + header.TotalLength, length))
                    {
                        return (offset, "record body checksum mismatch");
                    }

                    onCorrupt(offset, "record body checksum mismatch");
                    offset += header.TotalLength;
                    continue;
                }

                onRecord(offset, header, body);
                offset += header.TotalLength;
            }

            return (offset, null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose() => _file.Dispose();

    private bool HeaderFollows(long offset, long length)
    {
        Span<byte> next = stackalloc byte[RecordHeader.Size];
        return offset + RecordHeader.Size <= length && TryReadExactly(offset, next) && RecordHeader.TryRead(next, out _, out _);
    }

    private void TryTruncate(long length)
    {
        try
        {
            _file.Truncate(length);
        }
        catch (IOException)
        {
            // The tail past `length` is unacknowledged and ignored; recovery cuts it at the next open.
        }
    }

    private static int ReadFully(IStorageFile file, Span<byte> destination, long offset)
    {
        var total = 0;
        while (total < destination.Length)
        {
            var n = file.Read(destination[total..], offset + total);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }
}

/// <summary>Receives a valid record found by <see cref="LogChunk.Scan"/>; the body is valid only during the call.</summary>
internal delegate void RecordVisitor(long offset, RecordHeader header, ReadOnlySpan<byte> body);
