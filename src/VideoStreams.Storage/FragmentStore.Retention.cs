using Microsoft.Data.Sqlite;
using VideoStreams.Storage.Format;
using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Log;
using VideoStreams.Storage.Retention;
using VideoStreams.Storage.Streams;

namespace VideoStreams.Storage;

/// <summary>
/// What retention needs from the store: the chunks with their newest times, and a way to retire one. Retiring is a
/// staged, resumable pipeline: a synced control record first (so a crash cannot bring the data back at the next
/// open), then the index rows (readers can no longer find the fragments), then the file (at once, or when the last
/// reader holding it lets go), then its directory entry.
/// </summary>
public sealed partial class FragmentStore
{
    private readonly HashSet<long> _retired = [];

    /// <summary>Every chunk the index knows, oldest first, with its log class and the server time of its newest fragment.</summary>
    public IReadOnlyList<ChunkEntry> Chunks() => Index.Chunks();

    /// <summary>Bytes free on the data folder's file system.</summary>
    public long AvailableFreeSpace => _files.AvailableFreeSpace;

    /// <summary>Total bytes of the data folder's file system.</summary>
    public long TotalSpace => _files.TotalSpace;

    /// <summary>A snapshot of the streams the store appends for, by id.</summary>
    public IReadOnlyDictionary<long, StreamRecord> StreamsById => new Dictionary<long, StreamRecord>(_streams);

    /// <summary>
    /// Deletes a chunk and every fragment in it. A chunk still taking appends is refused (false): retention waits until
    /// it is sealed. Returns true once the chunk's fragments are gone from the index; its file goes now, or when the
    /// last reader holding it lets go.
    /// </summary>
    public bool RetireChunk(long chunkId)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        string logClass;
        lock (_appendLock)
        {
            if (_logs.Values.Any(l => l.Current?.Id == chunkId))
            {
                return false;
            }

            var entry = Index.Chunks().FirstOrDefault(c => c.Id == chunkId);
            if (entry.Id != chunkId)
            {
                return true;
            }

            logClass = entry.LogClass;
            WriteControl(ControlRecords.ChunkRetired(++_controlSequence, chunkId));
            _retired.Add(chunkId);
        }

        Index.RemoveChunk(chunkId);
        _chunks.Delete(chunkId);
        _files.SyncDirectory(LogLayout.Directory(logClass));
        return true;
    }

    /// <summary>
    /// UpdateDataRetention DECREASE: KVS deletes data older than the new period at once. The stream's older fragments
    /// share chunks with other streams, so their index rows go now (they are unreadable from here on) and their bytes
    /// go when those chunks expire. Runs on the caller's thread, outside the append lock, a batch of rows at a time.
    /// </summary>
    private void ApplyRetentionDecrease(StreamRecord stream)
    {
        var cutoff = RetentionPolicy.CutoffMs(stream.DataRetentionInHours, NowMs);
        try
        {
            var removed = Index.RemoveFragmentsBefore(stream.Id, cutoff);
            RetentionLog.RetentionDecreased(_logger, stream.Id, stream.DataRetentionInHours, removed);
        }
        catch (SqliteException e)
        {
            // The change itself is journaled; the retention service trims the stream at its next pass.
            RetentionLog.RetentionDecreaseFailed(_logger, stream.Id, e.Message);
        }
    }

    /// <summary>
    /// Starts a new chunk in every log whose current chunk holds data, so that retention can retire what is in it
    /// (a nearly full disk evicts even the newest data rather than refuse live ingest).
    /// </summary>
    public void SealCurrentChunks()
    {
        lock (_appendLock)
        {
            foreach (var log in _logs.Values)
            {
                if (log.Current is { } current && current.Tail > ChunkHeader.Size && log.Seal() is { } sealedChunk)
                {
                    _chunks.Unpin(sealedChunk.Id);
                    SealedSinceCommit(sealedChunk);
                }
            }
        }
    }
}
