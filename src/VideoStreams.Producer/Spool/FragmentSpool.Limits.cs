namespace VideoStreams.Producer.Spool;

public sealed partial class FragmentSpool
{
    /// <summary>Closes the active segment (synced, unless the sync mode is None) and starts the next one.</summary>
    private void Roll(long now)
    {
        if (_active is not null)
        {
            if (_options.SyncMode != SpoolSyncMode.None)
            {
                Sync(now);
            }

            _active.Dispose();
            _active = null;
        }

        StartSegment(now);
    }

    private void StartSegment(long now)
    {
        var number = _segments.Count > 0 ? _segments[^1].Number + 1 : 1;
        var path = Path.Combine(_directory, SpoolFormat.SegmentFileName(number));
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0);
        Span<byte> header = stackalloc byte[SpoolFormat.SegmentHeaderSize];
        SpoolFormat.WriteSegmentHeader(header, number, _nextSequence, now);
        stream.Write(header);
        if (_options.SyncMode != SpoolSyncMode.None)
        {
            // The header and the directory entry are durable before any record relies on them.
            stream.Flush(flushToDisk: true);
            DirectorySync.Sync(_directory);
        }

        var segment = new SpoolSegment(number, path, _nextSequence, SpoolFormat.SegmentHeaderSize);
        _segments.Add(segment);
        _diskBytes += SpoolFormat.SegmentHeaderSize;
        _active = stream;
        _activeSegment = segment;
    }

    /// <summary>Frees space for a record of <paramref name="size"/> bytes per the overflow policy. False = refused.</summary>
    private bool MakeRoom(long size, long sequence, long now, ref int dropped)
    {
        while (_diskBytes + size > _options.MaxBytes)
        {
            if (_options.OverflowPolicy == SpoolOverflowPolicy.RejectNew)
            {
                SpoolLog.Rejected(_logger, _options.Name, _diskBytes, _options.MaxBytes, sequence);
                return false;
            }

            var oldest = _segments[0];
            if (oldest == _activeSegment)
            {
                // Only the active segment is left: close it so that it can go.
                Roll(now);
                continue;
            }

            dropped += DropSegment(oldest);
        }

        return true;
    }

    /// <summary>Deletes the oldest segment with whatever it still holds; returns the fragments dropped.</summary>
    private int DropSegment(SpoolSegment segment)
    {
        var count = 0;
        long first = -1, last = -1;
        foreach (var entry in _entries)
        {
            if (entry.Segment != segment)
            {
                break;
            }

            if (entry.State == SpoolEntryState.Pending)
            {
                Release(entry, SpoolEntryState.Dropped);
                first = first < 0 ? entry.Sequence : first;
                last = entry.Sequence;
                count++;
            }
        }

        var bytes = _diskBytes;
        DeleteSegment(segment);
        if (count > 0)
        {
            DroppedFragments += count;
            _metrics.Dropped(SpoolDropReason.Overflow, count);
            SpoolLog.OverflowDropped(_logger, _options.Name, bytes, _options.MaxBytes, segment.FileName, count, first, last);
        }

        return count;
    }

    /// <summary>Deletes leading segment files whose fragments have all been acknowledged or dropped.</summary>
    private void DeleteReleasedSegments()
    {
        while (_segments.Count > 0 && _segments[0] != _activeSegment && _segments[0].Pending == 0)
        {
            DeleteSegment(_segments[0]);
        }
    }

    private void DeleteSegment(SpoolSegment segment)
    {
        // Segments leave oldest first, so their entries are a prefix of the list.
        var count = 0;
        while (count < _entries.Count && _entries[count].Segment == segment)
        {
            count++;
        }

        _entries.RemoveRange(0, count);
        _segments.Remove(segment);
        _diskBytes -= segment.Length;
        segment.Dispose();
        File.Delete(segment.Path);
    }

    /// <summary>Drops pending fragments spooled longer ago than MaxAge (oldest first); returns how many.</summary>
    private int ExpireByAge(long now)
    {
        var limit = now - (long)_options.MaxAge.TotalMilliseconds;
        var count = 0;
        long first = -1, last = -1;
        foreach (var entry in _entries)
        {
            if (entry.State != SpoolEntryState.Pending)
            {
                continue;
            }

            if (entry.SpooledAtMs >= limit)
            {
                break;
            }

            Release(entry, SpoolEntryState.Dropped);
            WriteRelease(SpoolRecordKind.Expiry, entry.Sequence, now);
            first = first < 0 ? entry.Sequence : first;
            last = entry.Sequence;
            count++;
        }

        if (count > 0)
        {
            DroppedFragments += count;
            _metrics.Dropped(SpoolDropReason.Age, count);
            SpoolLog.AgeDropped(_logger, _options.Name, count, _options.MaxAge, first, last);
            DeleteReleasedSegments();
        }

        return count;
    }
}
