using VideoStreams.Storage.Files;
using VideoStreams.Storage.Format;

namespace VideoStreams.Storage.Log;

/// <summary>
/// One log: a folder of chunk files of which only the newest takes appends. When it is full the next record starts a
/// new chunk. Durability of what was appended is the committer's job: it syncs every chunk its batch touched —
/// the full one and the new one alike — before it acknowledges anything (see <see cref="LogChunk.Sync"/>).
/// <para>
/// A fragment log does not sync the full chunk when it rolls (that sync, under the append lock, stalled every
/// appender once per chunk). So after a power cut a torn tail can end a chunk that the index does not yet know as
/// sealed, not only the newest one; recovery cuts such tails, and treats damage in a chunk the index knows as sealed
/// (synced in full by a commit) as corruption. The control log, whose writers sync only its current chunk, does sync
/// on roll (<c>syncOnRoll</c>).
/// </para>
/// </summary>
internal sealed class FragmentLog
{
    private readonly IStorageFileSystem _files;
    private readonly long _chunkSize;
    private readonly bool _syncOnRoll;
    private bool _directoryCreated;

    public FragmentLog(IStorageFileSystem files, string logClass, long chunkSize, LogChunk? current, bool syncOnRoll = false)
    {
        _syncOnRoll = syncOnRoll;
        _files = files;
        Class = logClass;
        _chunkSize = chunkSize;
        Current = current;
        _directoryCreated = current is not null;
    }

    public string Class { get; }

    /// <summary>The chunk taking appends (null until the first append).</summary>
    public LogChunk? Current { get; private set; }

    /// <summary>
    /// Writes a record, starting a new chunk first when it would not fit. Returns the chunk and offset it went to, and
    /// the chunk it sealed, if it did.
    /// </summary>
    public (LogChunk Chunk, long Offset, LogChunk? Sealed) Append(ReadOnlySpan<byte> record, Func<long> nextChunkId, long nowMs)
    {
        var (chunk, sealedChunk) = Prepare(record.Length, nextChunkId, nowMs);
        var offset = chunk.Append(record);
        return (chunk, offset, sealedChunk);
    }

    /// <summary>
    /// Makes room for a record of <paramref name="length"/> bytes, starting a new chunk first when it would not fit,
    /// and returns the chunk it goes to (at its <see cref="LogChunk.Tail"/>: a sealed record authenticates where it
    /// lives) and the chunk it sealed, if it did. The caller appends to the chunk before the lock is let go.
    /// </summary>
    public (LogChunk Chunk, LogChunk? Sealed) Prepare(int length, Func<long> nextChunkId, long nowMs)
    {
        LogChunk? sealedChunk = null;
        if (Current is null || (Current.Tail > ChunkHeader.Size && Current.Tail + length > _chunkSize))
        {
            sealedChunk = Roll(nextChunkId(), nowMs);
        }

        return (Current!, sealedChunk);
    }

    /// <summary>Syncs and lets go of the current chunk; the next append starts a new one. Returns the chunk sealed.</summary>
    public LogChunk? Seal()
    {
        var sealedChunk = Current;
        sealedChunk?.Sync();
        Current = null;
        return sealedChunk;
    }

    private LogChunk? Roll(long chunkId, long nowMs)
    {
        var previous = Current;
        if (_syncOnRoll)
        {
            previous?.Sync();
        }

        if (!_directoryCreated)
        {
            _files.CreateDirectory(LogLayout.Directory(Class));
            _files.SyncDirectory(LogLayout.LogsFolder);
            _directoryCreated = true;
        }

        Current = LogChunk.Create(_files, LogLayout.ChunkPath(Class, chunkId), new ChunkHeader(chunkId, nowMs, Class));
        return previous;
    }
}
