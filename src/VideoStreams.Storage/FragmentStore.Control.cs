using VideoStreams.Storage.Format;
using VideoStreams.Storage.Log;

namespace VideoStreams.Storage;

/// <summary>
/// Control-log compaction. The control log is append-only, so a deleted stream's records — its wrapped data keys
/// among them — would stay on disk for ever. Compaction writes the whole current state into a fresh control chunk,
/// ending it with a <see cref="RecordType.ControlCompacted"/> marker, syncs it, then overwrites every older control
/// chunk with zeros, syncs and deletes it: a deleted stream's keys are gone from the disk, and with them any way to
/// open its sealed bytes still waiting in shared chunks for their retention (crypto-shredding).
/// </summary>
/// <remarks>
/// Crash-safe by the marker: recovery replays from the newest chunk that holds a marker and treats every older one as
/// superseded (wiping what a crash left). A compaction cut short has no marker, so the older chunks still rule; the
/// partial copy it left repeats state they hold, which replays harmlessly.
/// </remarks>
public sealed partial class FragmentStore
{
    private readonly HashSet<long> _deletedStreams = [];
    private int _controlGarbage;

    /// <summary>Stream deletions since the last compaction: records compaction would drop (the retention service compacts when it is above 0).</summary>
    public int ControlLogGarbage
    {
        get
        {
            lock (_appendLock)
            {
                return _controlGarbage;
            }
        }
    }

    /// <summary>Rewrites the control log as its current state and shreds the superseded chunks.</summary>
    /// <returns>How many superseded control chunks were wiped and deleted.</returns>
    public int CompactControlLog()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        List<string> superseded;
        lock (_appendLock)
        {
            var directory = LogLayout.Directory(LogLayout.ControlClass);
            superseded = [.. _files.ListFiles(directory, LogLayout.ChunkSuffix)
                .Where(n => LogLayout.ChunkIdOf(n) is not null)
                .Select(n => LogLayout.ChunkPath(LogLayout.ControlClass, LogLayout.ChunkIdOf(n)!.Value))];
            _control.Seal()?.Dispose();

            // The state: streams, their wrapped keys, deletions (so ids are never given out again), the numbering
            // reservation, and the chunks retention retired.
            long records = 0;
            foreach (var stream in _streams.Values.OrderBy(s => s.Id))
            {
                AppendControl(ControlRecords.Stream(++_controlSequence, stream));
                records++;
            }

            foreach (var key in _dataKeys?.WrappedKeysOf(_streams) ?? [])
            {
                AppendControl(ControlRecords.DataKey(++_controlSequence, key));
                records++;
            }

            foreach (var id in _deletedStreams.Order())
            {
                AppendControl(ControlRecords.StreamDeleted(++_controlSequence, id));
                records++;
            }

            AppendControl(ControlRecords.NumberReservation(++_controlSequence, _reservedEnd));
            records++;
            foreach (var id in _retired.Order())
            {
                AppendControl(ControlRecords.ChunkRetired(++_controlSequence, id));
                records++;
            }

            AppendControl(ControlRecords.ControlCompacted(++_controlSequence, records));
            SyncControl();
            _controlGarbage = 0;
        }

        Shred(superseded);
        StoreLog.ControlCompacted(_logger, superseded.Count);
        return superseded.Count;
    }

    /// <summary>Overwrites superseded control chunks with zeros, syncs, deletes them and syncs their directory.</summary>
    private void Shred(List<string> paths)
    {
        if (paths.Count == 0)
        {
            return;
        }

        var zeros = new byte[64 << 10];
        foreach (var path in paths)
        {
            using (var file = _files.Open(path, writable: true))
            {
                for (long at = 0; at < file.Length; at += zeros.Length)
                {
                    file.Write(zeros.AsSpan(0, (int)Math.Min(zeros.Length, file.Length - at)), at);
                }

                file.Sync();
            }

            _files.Delete(path);
        }

        _files.SyncDirectory(LogLayout.Directory(LogLayout.ControlClass));
    }

    /// <summary>
    /// Recovery: the control chunks to replay — from the newest one holding a compaction marker on (all of them when
    /// none does) — and the older ones it superseded.
    /// </summary>
    private (List<string> Replay, List<string> Superseded) ControlChunksToReplay(IReadOnlyList<string> names)
    {
        var paths = names.Where(n => LogLayout.ChunkIdOf(n) is not null)
            .Select(n => LogLayout.ChunkPath(LogLayout.ControlClass, LogLayout.ChunkIdOf(n)!.Value))
            .ToList();
        for (var i = paths.Count - 1; i > 0; i--)
        {
            var compacted = false;
            try
            {
                using var chunk = LogChunk.Open(_files, paths[i], writable: false);
                chunk.Scan(ChunkHeader.Size, (_, header, _) => compacted |= header.Type == RecordType.ControlCompacted);
            }
            catch (CorruptSegmentException)
            {
                // A chunk whose creation was cut short: the main replay deals with it.
            }

            if (compacted)
            {
                return (paths[i..], paths[..i]);
            }
        }

        return (paths, []);
    }
}
