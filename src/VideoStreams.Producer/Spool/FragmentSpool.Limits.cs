namespace VideoStreams.Producer.Spool;

public sealed partial class FragmentSpool
{
    /// <summary>
    /// Starts the next segment and closes the active one (synced first, unless the sync mode is None). The new file
    /// is made before the old one is let go, so a failure (a full disk) leaves the active segment as it was.
    /// </summary>
    private void Roll(long now)
    {
        if (_active is not null && _options.SyncMode != SpoolSyncMode.None)
        {
            Sync(now);
        }

        var old = _active;
        StartSegment(now);
        old?.Dispose();
    }

    /// <summary><see cref="Roll"/>, dropping the oldest segments while the disk is too full to create a file.</summary>
    private bool TryRoll(long now, long sequence, ref int dropped)
    {
        while (true)
        {
            try
            {
                Roll(now);
                return true;
            }
            catch (IOException e) when (SpoolFiles.IsDiskFull(e))
            {
                if (!TryDropForDiskFull(sequence, ref dropped))
                {
                    return false;
                }
            }
        }
    }

    private void StartSegment(long now)
    {
        var number = _segments.Count > 0 ? _segments[^1].Number + 1 : 1;
        var path = Path.Combine(_directory, SpoolFormat.SegmentFileName(number));
        var stream = _files.Create(path);
        try
        {
            Span<byte> header = stackalloc byte[SpoolFormat.SegmentHeaderSize];
            SpoolFormat.WriteSegmentHeader(header, number, _nextSequence, now);
            stream.Write(header);
            if (_options.SyncMode != SpoolSyncMode.None)
            {
                // The header and the directory entry are durable before any record relies on them.
                SpoolFiles.Sync(stream);
                DirectorySync.Sync(_directory);
            }
        }
        catch (IOException)
        {
            stream.Dispose();
            File.Delete(path);
            throw;
        }

        var segment = new SpoolSegment(number, path, _nextSequence, SpoolFormat.SegmentHeaderSize);
        _segments.Add(segment);
        _diskBytes += SpoolFormat.SegmentHeaderSize;
        _active = stream;
        _activeSegment = segment;
    }

    /// <summary>Frees space for a record of <paramref name="size"/> bytes per the overflow policy.</summary>
    private SpoolAppendStatus MakeRoom(long size, long sequence, long now, ref int dropped)
    {
        while (_diskBytes + size > _options.MaxBytes)
        {
            if (_options.OverflowPolicy == SpoolOverflowPolicy.RejectNew)
            {
                SpoolLog.Rejected(_logger, _options.Name, _diskBytes, _options.MaxBytes, sequence);
                return SpoolAppendStatus.Full;
            }

            var oldest = _segments[0];
            if (oldest == _activeSegment)
            {
                // Only the active segment is left: close it so that it can go.
                if (!TryRoll(now, sequence, ref dropped))
                {
                    return SpoolAppendStatus.DiskFull;
                }

                continue;
            }

            dropped += DropSegment(oldest);
        }

        return SpoolAppendStatus.Appended;
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

    /// <summary>
    /// Writes the encoded fragment record. When the disk is full (whatever MaxBytes says), the partial write is cut
    /// and, with DropOldest, the oldest segment goes and the write is tried again. False = no room could be made.
    /// </summary>
    private bool TryWriteFragmentRecord(long sequence, ref int dropped)
    {
        while (true)
        {
            try
            {
                WriteRecord();
                return true;
            }
            catch (IOException e) when (SpoolFiles.IsDiskFull(e))
            {
                UndoPartialWrite();
                if (!TryDropForDiskFull(sequence, ref dropped))
                {
                    return false;
                }
            }
        }
    }

    /// <summary>The disk is full: drops the oldest segment if the policy and what is left allow. False = cannot.</summary>
    private bool TryDropForDiskFull(long sequence, ref int dropped)
    {
        var canDrop = _options.OverflowPolicy == SpoolOverflowPolicy.DropOldest && _segments[0] != _activeSegment;
        SpoolLog.DiskFull(_logger, _options.Name, sequence, _diskBytes, canDrop);
        if (canDrop)
        {
            dropped += DropSegment(_segments[0]);
        }

        return canDrop;
    }

    /// <summary>Cuts whatever part of a failed write reached the file, so the next record follows the last good one.</summary>
    private void UndoPartialWrite()
    {
        _active!.SetLength(_activeSegment!.Length);
        _active.Position = _activeSegment.Length;
    }
}
