using System.Buffers;
using VideoStreams.Storage.Encryption;
using VideoStreams.Storage.Files;
using VideoStreams.Storage.Format;
using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Log;
using VideoStreams.Storage.Streams;

namespace VideoStreams.Storage;

/// <summary>Appending fragments, numbering them, and the control log behind the stream catalog.</summary>
public sealed partial class FragmentStore
{
    /// <summary>
    /// Appends a fragment to its stream's log and returns at once: the number is final, the bytes are written but not
    /// yet durable. <see cref="AppendedFragment.Persisted"/> completes when the group commit that includes it is done.
    /// </summary>
    /// <returns>The appended fragment, or why it was refused: ResourceNotFound (no such active stream), NoDataRetention
    /// (retention 0: nothing is persisted, as in KVS), InvalidArgument (too large), StorageFull or IOError (nothing
    /// of it was kept; the store stays usable).</returns>
    public StorageResult<AppendedFragment> Append(long streamId, in NewFragment fragment)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_streams.TryGetValue(streamId, out var stream) || stream.Status == StreamStatus.Deleting)
        {
            return StorageResult<AppendedFragment>.Fail(StorageError.ResourceNotFound, $"stream {streamId} does not exist");
        }

        if (stream.DataRetentionInHours == 0)
        {
            return StorageResult<AppendedFragment>.Fail(StorageError.NoDataRetention, $"stream {stream.Name} keeps no data (retention 0)");
        }

        if (fragment.Media.Length > _options.MaxFragmentSize)
        {
            return StorageResult<AppendedFragment>.Fail(StorageError.InvalidArgument, $"fragment of {fragment.Media.Length} bytes is over the {_options.MaxFragmentSize}-byte limit");
        }

        var metadata = new FragmentMetadata(streamId, fragment.ProducerTimestampMs, fragment.ServerTimestampMs, fragment.DurationMs, fragment.Flags);
        var tagsLength = FragmentRecord.TagsLength(fragment.Tags);
        var length = FragmentRecord.RecordLength(tagsLength, fragment.Media.Length + _sealer.Overhead);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            lock (_appendLock)
            {
                var keyId = _sealer.KeyFor(stream, NowMs);
                var number = NextNumber();
                var log = LogFor(LogLayout.ClassOf(stream.DataRetentionInHours));
                var (chunk, sealedChunk) = log.Prepare(length, NextChunkId, NowMs);
                if (sealedChunk is not null)
                {
                    _chunks.Unpin(sealedChunk.Id);
                    SealedSinceCommit(sealedChunk);
                }

                FragmentRecord.Write(buffer.AsSpan(0, length), number, chunk.Id, chunk.Tail, metadata, fragment.Tags, fragment.Media.Span, _sealer, keyId);
                var offset = chunk.Append(buffer.AsSpan(0, length));

                if (offset == ChunkHeader.Size)
                {
                    _chunks.Add(chunk);
                }

                var entry = new FragmentEntry(number, streamId, fragment.ProducerTimestampMs, fragment.ServerTimestampMs, fragment.DurationMs, fragment.Media.Length, chunk.Id, offset, length, fragment.Flags);
                return StorageResult<AppendedFragment>.Ok(new AppendedFragment(entry, Enqueue(entry, log.Class, chunk, length)));
            }
        }
        catch (DiskFullException e)
        {
            _metrics.AppendFailures.Add(1, new KeyValuePair<string, object?>("error", nameof(StorageError.StorageFull)));
            StoreLog.AppendFailed(_logger, streamId, e.Message);
            DiskFull?.Invoke();
            return StorageResult<AppendedFragment>.Fail(StorageError.StorageFull, "the disk is full; the fragment was not stored");
        }
        catch (MasterKeyUnavailableException e)
        {
            _metrics.AppendFailures.Add(1, new KeyValuePair<string, object?>("error", nameof(StorageError.KmsKeyUnavailable)));
            StoreLog.AppendFailed(_logger, streamId, e.Message);
            return StorageResult<AppendedFragment>.Fail(StorageError.KmsKeyUnavailable, e.Message);
        }
        catch (IOException e)
        {
            _metrics.AppendFailures.Add(1, new KeyValuePair<string, object?>("error", nameof(StorageError.IOError)));
            StoreLog.AppendFailed(_logger, streamId, e.Message);
            return StorageResult<AppendedFragment>.Fail(StorageError.IOError, "an I/O error stopped the fragment from being stored: " + e.Message);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The next fragment number. Numbers are handed out from a reserved block recorded (and synced) in the control log
    /// before any of them is used, so after a crash numbering resumes past every number that may have been seen —
    /// even one whose fragment never became durable.
    /// </summary>
    private long NextNumber()
    {
        if (_nextNumber >= _reservedEnd)
        {
            Reserve(_nextNumber + _options.NumberReservationBlock);
        }

        return _nextNumber++;
    }

    private void Reserve(long end)
    {
        WriteControl(ControlRecords.NumberReservation(++_controlSequence, end));
        _reservedEnd = end;
    }

    /// <summary>Appends a control record and syncs it (and the directory of a new control chunk) before returning.</summary>
    private void WriteControl(byte[] record)
    {
        AppendControl(record);
        SyncControl();
    }

    /// <summary>Appends to the control log without syncing (the caller syncs with <see cref="SyncControl"/> before relying on it).</summary>
    private void AppendControl(byte[] record)
    {
        var (_, _, sealedChunk) = _control.Append(record, NextChunkId, NowMs);
        sealedChunk?.Dispose();
    }

    private void SyncControl()
    {
        var chunk = _control.Current!;
        chunk.Sync();
        if (!chunk.DirectoryEntryDurable)
        {
            _files.SyncDirectory(LogLayout.Directory(LogLayout.ControlClass));
            chunk.DirectoryEntryDurable = true;
        }
    }

    /// <summary>The stream catalog's durability: every change is in the synced control log before the index sees it.</summary>
    private sealed class ControlJournal(FragmentStore store) : IStreamJournal
    {
        public void Write(StreamRecord stream)
        {
            StreamRecord? previous;
            lock (store._appendLock)
            {
                // A stream that keeps data gets its first data key with the same sync (not one sync per stream at
                // its first fragment: a thousand cameras starting at once must not cost a thousand syncs).
                store.AppendControl(ControlRecords.Stream(++store._controlSequence, stream));
                if (store._dataKeys is { } keys && stream.DataRetentionInHours > 0 && stream.Status != StreamStatus.Deleting)
                {
                    keys.EnsureKey(stream, store.NowMs);
                }

                store.SyncControl();
                store._streams.TryGetValue(stream.Id, out previous);
                store._streams[stream.Id] = stream;
            }

            if (previous is not null && stream.DataRetentionInHours < previous.DataRetentionInHours)
            {
                store.ApplyRetentionDecrease(stream);
            }
        }

        public void WriteDeleted(long streamId)
        {
            lock (store._appendLock)
            {
                store.WriteControl(ControlRecords.StreamDeleted(++store._controlSequence, streamId));
                store._streams.TryRemove(streamId, out _);
                store._deletedStreams.Add(streamId);
                store._dataKeys?.Forget(streamId);
                store._controlGarbage++;
            }
        }
    }
}
