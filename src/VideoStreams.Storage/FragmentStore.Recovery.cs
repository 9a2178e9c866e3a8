using System.Diagnostics;
using VideoStreams.Storage.Format;
using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Log;
using VideoStreams.Storage.Streams;

namespace VideoStreams.Storage;

/// <summary>
/// Opening the store. The logs are the truth: the control log is replayed into the index (streams, number
/// reservations), then every fragment log is scanned from where the index's knowledge of each chunk ends; valid
/// records are indexed, and a torn record at the end of a log's newest chunk — a write the power cut caught — is cut
/// off. Nothing that was acknowledged can be lost this way: acknowledged means synced, and a synced record scans valid.
/// </summary>
public sealed partial class FragmentStore
{
    private const int RecoveryBatch = 4096;

    private void Recover(Stopwatch clock)
    {
        _files.CreateDirectory(LogLayout.LogsFolder);
        _files.SyncDirectory(".");
        var corrupt = new List<string>();
        long torn = 0, recovered = 0;
        var scanned = 0;
        var knownChunks = Index.Chunks().ToDictionary(c => c.Id);
        foreach (var c in knownChunks.Values)
        {
            _chunkNewest[c.Id] = c.NewestServerTimestampMs;
            _nextChunkId = Math.Max(_nextChunkId, c.Id + 1);
        }

        foreach (var logClass in _files.ListDirectories(LogLayout.LogsFolder))
        {
            foreach (var name in _files.ListFiles(LogLayout.Directory(logClass), LogLayout.ChunkSuffix))
            {
                if (LogLayout.ChunkIdOf(name) is { } id)
                {
                    _nextChunkId = Math.Max(_nextChunkId, id + 1);
                }
            }
        }

        ReplayControl(ref torn);
        _dataKeys?.Load(_streams);
        foreach (var id in _retired.Where(knownChunks.ContainsKey))
        {
            Index.RemoveChunk(id);
        }

        foreach (var logClass in _files.ListDirectories(LogLayout.LogsFolder))
        {
            if (logClass == LogLayout.ControlClass || LogLayout.RetentionHoursOf(logClass) is null)
            {
                continue;
            }

            var names = _files.ListFiles(LogLayout.Directory(logClass), LogLayout.ChunkSuffix);
            for (var i = 0; i < names.Count; i++)
            {
                if (LogLayout.ChunkIdOf(names[i]) is not { } id)
                {
                    continue;
                }

                var isNewest = i == names.Count - 1;
                var path = LogLayout.ChunkPath(logClass, id);
                if (_retired.Contains(id))
                {
                    // Retention decided to delete it and a crash cut the deletion short: finish it.
                    Index.RemoveChunk(id);
                    _files.Delete(path);
                    _files.SyncDirectory(LogLayout.Directory(logClass));
                    continue;
                }

                var known = knownChunks.GetValueOrDefault(id, new ChunkEntry(id, logClass, ChunkHeader.Size, 0, false));

                // Chunks the index does not know as sealed may not have been synced in full when the power went (a
                // log rolls without syncing; the commit that would have synced them did not finish): nothing in them
                // past the index was acknowledged, so a torn end is cut, not reported.
                var mayBeTorn = isNewest || !known.Sealed;
                if (mayBeTorn && TryDropTornChunk(path))
                {
                    continue;
                }

                var chunk = LogChunk.Open(_files, path, writable: mayBeTorn);
                if (mayBeTorn)
                {
                    // After a process crash its last records may sit in the page cache only: make them durable before
                    // the index learns of them (and before this chunk can be recorded as sealed).
                    chunk.Sync();
                }

                var batch = new List<FragmentEntry>();
                var newest = known.NewestServerTimestampMs;
                var (validEnd, problem) = chunk.Scan(Math.Max(known.IndexedEnd, ChunkHeader.Size), (offset, header, body) =>
                {
                    if (header.Type != RecordType.Fragment
                        || !FragmentRecord.TryParse(body, out var m, out _, out var mediaLength, out _, out _)
                        || !_streams.ContainsKey(m.StreamId))
                    {
                        // Another record type, or a fragment of a stream deleted since: nothing to index.
                        return;
                    }

                    batch.Add(new FragmentEntry(header.Sequence, m.StreamId, m.ProducerTimestampMs, m.ServerTimestampMs, m.DurationMs, mediaLength, id, offset, header.TotalLength, m.Flags));
                    newest = Math.Max(newest, m.ServerTimestampMs);
                    if (batch.Count == RecoveryBatch)
                    {
                        Index.Commit(batch.ToArray(), [known with { IndexedEnd = offset + header.TotalLength, NewestServerTimestampMs = newest }]);
                        recovered += batch.Count;
                        batch.Clear();
                    }
                },
                (offset, reason) =>
                {
                    corrupt.Add($"{path}@{offset}");
                    StoreLog.CorruptChunk(_logger, path, offset, reason);
                });
                scanned++;
                if (problem is not null)
                {
                    if (mayBeTorn)
                    {
                        torn += chunk.Tail - validEnd;
                        StoreLog.TornTail(_logger, path, validEnd, chunk.Tail - validEnd, problem);
                        chunk.Truncate(validEnd);
                        chunk.Sync();
                    }
                    else
                    {
                        corrupt.Add($"{path}@{validEnd}");
                        StoreLog.CorruptChunk(_logger, path, validEnd, problem);
                    }
                }

                recovered += batch.Count;
                _chunkNewest[id] = newest;
                var sealedChunk = !isNewest || validEnd >= _options.ChunkSize;
                Index.Commit(batch.ToArray(), [new ChunkEntry(id, logClass, validEnd, newest, sealedChunk)]);
                if (isNewest && !sealedChunk)
                {
                    _logs[logClass] = new FragmentLog(_files, logClass, _options.ChunkSize, chunk);
                    _chunks.Add(chunk);
                }
                else
                {
                    chunk.Dispose();
                    _chunks.AddOnDisk(id, path);
                }
            }
        }

        // Numbering resumes past everything that may have been handed out, then a fresh block is reserved.
        _nextNumber = Math.Max(Math.Max(_reservedEnd, (Index.MaxFragmentNumber() ?? 0) + 1), 1);
        Reserve(_nextNumber + _options.NumberReservationBlock);
        Streams = new StreamCatalog(Index, new ControlJournal(this), _time, new StreamCatalogOptions
        {
            Region = _options.Region,
            AccountId = _options.AccountId,
            KmsKeyCheck = _dataKeys is null ? null : _masterKeys.Check,
        });
        Recovery = new RecoveryReport(scanned, recovered, torn, corrupt, clock.Elapsed);
        StoreLog.Opened(_logger, _options.DataDirectory, recovered, scanned, torn, (long)clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>
    /// A chunk whose creation the power cut interrupted: its header never became durable, so nothing in it was ever
    /// acknowledged. It is removed; anything else with a bad header is corruption.
    /// </summary>
    private bool TryDropTornChunk(string path)
    {
        using (var file = _files.Open(path, writable: false))
        {
            if (file.Length >= ChunkHeader.Size)
            {
                return false;
            }
        }

        _files.Delete(path);
        _files.SyncDirectory(Path.GetDirectoryName(path)!.Replace('\\', '/'));
        return true;
    }

    /// <summary>Replays the whole control log into the index; it is small (one record per stream change).</summary>
    private void ReplayControl(ref long torn)
    {
        var directory = LogLayout.Directory(LogLayout.ControlClass);
        _files.CreateDirectory(directory);
        var (paths, superseded) = ControlChunksToReplay(_files.ListFiles(directory, LogLayout.ChunkSuffix));
        var live = new Dictionary<long, StreamRecord>();
        var deleted = new HashSet<long>();
        var described = new HashSet<long>();
        long maxStreamId = 0;
        LogChunk? last = null;
        for (var i = 0; i < paths.Count; i++)
        {
            var isNewest = i == paths.Count - 1;
            var path = paths[i];
            if (isNewest && TryDropTornChunk(path))
            {
                continue;
            }

            var chunk = LogChunk.Open(_files, path, writable: isNewest);
            var (validEnd, problem) = chunk.Scan(ChunkHeader.Size, (_, header, body) =>
            {
                _controlSequence = Math.Max(_controlSequence, header.Sequence);
                switch (header.Type)
                {
                    case RecordType.Stream:
                        var stream = ControlRecords.ReadStream(body);
                        live[stream.Id] = stream;
                        described.Add(stream.Id);
                        maxStreamId = Math.Max(maxStreamId, stream.Id);
                        break;
                    case RecordType.StreamDeleted:
                        var streamId = ControlRecords.ReadLong(body);
                        live.Remove(streamId);
                        deleted.Add(streamId);
                        maxStreamId = Math.Max(maxStreamId, streamId);
                        break;
                    case RecordType.NumberReservation:
                        _reservedEnd = Math.Max(_reservedEnd, ControlRecords.ReadLong(body));
                        break;
                    case RecordType.ChunkRetired:
                        _retired.Add(ControlRecords.ReadLong(body));
                        break;
                    case RecordType.DataKey:
                        _dataKeys?.Replayed(Encryption.DataKeyRecord.FromBody(body));
                        break;
                }
            });
            if (problem is not null)
            {
                if (!isNewest)
                {
                    throw new CorruptSegmentException(path, validEnd, problem);
                }

                torn += chunk.Tail - validEnd;
                StoreLog.TornTail(_logger, path, validEnd, chunk.Tail - validEnd, problem);
                chunk.Truncate(validEnd);
                chunk.Sync();
            }

            if (isNewest)
            {
                last = chunk;
            }
            else
            {
                chunk.Dispose();
            }
        }

        _control = new FragmentLog(_files, LogLayout.ControlClass, _options.ChunkSize, last, syncOnRoll: true);

        // A compaction finished (its marker is durable) but a crash stopped the shredding of what it superseded.
        Shred(superseded);
        _deletedStreams.UnionWith(deleted);
        _controlGarbage = deleted.Count(described.Contains); // deleted streams whose records (and keys) are still there

        // Ids are never given out again, even the highest one's after its stream was deleted (the index only knows
        // the streams that exist, and a rebuilt one would otherwise hand a deleted stream's id, and fragments, to a
        // new stream).
        Index.RaiseMaxStreamId(maxStreamId);
        foreach (var id in deleted)
        {
            Index.RemoveStream(id);
        }

        foreach (var stream in live.Values)
        {
            Index.PutStream(stream);
            _streams[stream.Id] = stream;
        }
    }
}
