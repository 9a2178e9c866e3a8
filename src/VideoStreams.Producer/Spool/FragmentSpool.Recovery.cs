using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace VideoStreams.Producer.Spool;

public sealed partial class FragmentSpool
{
    private const int ScanChunk = 64 * 1024;

    private void Recover()
    {
        Directory.CreateDirectory(_directory);

        // Two writers on one spool would interleave records and replay each other's fragments: an exclusive lock
        // (flock on Linux) makes the second Open fail instead.
        _lockFile = new FileStream(Path.Combine(_directory, "spool.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var files = new List<(long Number, string Path)>();
        foreach (var path in Directory.EnumerateFiles(_directory, "*" + SpoolFormat.SegmentExtension))
        {
            if (SpoolFormat.TryParseSegmentNumber(Path.GetFileName(path), out var number))
            {
                files.Add((number, path));
            }
        }

        files.Sort((a, b) => a.Number.CompareTo(b.Number));
        var released = new HashSet<long>();
        var maxSequence = -1L;
        for (var i = 0; i < files.Count; i++)
        {
            RecoverSegment(files[i].Number, files[i].Path, isLast: i == files.Count - 1, released, ref maxSequence);
        }

        foreach (var entry in _entries)
        {
            if (released.Contains(entry.Sequence))
            {
                entry.State = SpoolEntryState.Acknowledged;
                continue;
            }

            entry.Segment.Pending++;
            _pendingCount++;
            _pendingBytes += entry.RecordLength;
        }

        _nextSequence = Math.Max(maxSequence + 1, _segments.Count > 0 ? _segments[^1].BaseSequence : 0);
        var now = NowMs();
        _lastSyncMs = now;

        // Appends always go to a fresh file: nothing is ever written after bytes that recovery had to judge.
        StartSegment(now);
        ExpireByAge(now);
        DeleteReleasedSegments();
        SpoolLog.Recovered(_logger, _options.Name, _segments.Count, _pendingCount, _pendingBytes, _nextSequence);
    }

    private void RecoverSegment(long number, string path, bool isLast, HashSet<long> released, ref long maxSequence)
    {
        SpoolSegment segment;
        using (var file = new FileStream(path, FileMode.Open, isLast ? FileAccess.ReadWrite : FileAccess.Read, FileShare.Read, bufferSize: 0))
        {
            var length = file.Length;
            Span<byte> header = stackalloc byte[SpoolFormat.SegmentHeaderSize];
            if (length < SpoolFormat.SegmentHeaderSize && isLast)
            {
                // Created, then the process stopped before its header was written: it never held a record.
                file.Dispose();
                SpoolLog.TornTailCut(_logger, _options.Name, Path.GetFileName(path), 0, length);
                File.Delete(path);
                return;
            }

            var baseSequence = 0L;
            var reason = RandomAccess.Read(file.SafeFileHandle, header, 0) == header.Length
                ? SpoolFormat.TryReadSegmentHeader(header, number, out baseSequence)
                : "shorter than a segment header";
            if (reason is not null)
            {
                file.Dispose();
                SetAside(path, reason);
                return;
            }

            segment = new SpoolSegment(number, path, baseSequence, length);
            segment.Length = ScanRecords(file, segment, isLast, released, ref maxSequence);
        }

        _segments.Add(segment);
        _diskBytes += segment.Length;
    }

    /// <summary>Reads every record of a segment; returns the segment's length after any torn tail is cut.</summary>
    private long ScanRecords(FileStream file, SpoolSegment segment, bool isLast, HashSet<long> released, ref long maxSequence)
    {
        var handle = file.SafeFileHandle;
        var length = file.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(ScanChunk);
        try
        {
            var position = (long)SpoolFormat.SegmentHeaderSize;
            while (position < length)
            {
                if (TryReadRecordAt(handle, position, length, ref buffer, out var payloadLength))
                {
                    var recordLength = SpoolFormat.RecordHeaderSize + payloadLength;
                    if (SpoolRecord.TryReadInfo(buffer.AsMemory(0, payloadLength), out var info))
                    {
                        AddRecovered(info, segment, position, recordLength, released, ref maxSequence);
                    }
                    else
                    {
                        CountCorrupt(segment, position, recordLength);
                    }

                    position += recordLength;
                    continue;
                }

                var next = FindNextRecord(handle, position + 1, length, ref buffer);
                if (next >= 0)
                {
                    CountCorrupt(segment, position, next - position);
                    position = next;
                    continue;
                }

                if (isLast)
                {
                    // Nothing valid follows in the file that was being written: a write the crash cut short.
                    file.SetLength(position);
                    file.Flush(flushToDisk: true);
                    SpoolLog.TornTailCut(_logger, _options.Name, segment.FileName, position, length - position);
                    return position;
                }

                CountCorrupt(segment, position, length - position);
                break;
            }

            return length;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void AddRecovered(SpoolRecordInfo info, SpoolSegment segment, long position, int recordLength, HashSet<long> released, ref long maxSequence)
    {
        maxSequence = Math.Max(maxSequence, info.Sequence);
        if (info.Kind is SpoolRecordKind.Acknowledgement or SpoolRecordKind.Expiry)
        {
            released.Add(info.Sequence);
            return;
        }

        // Sequence numbers only grow; a repeat (which the writer never produces) is ignored rather than replayed twice.
        if (_entries.Count == 0 || info.Sequence > _entries[^1].Sequence)
        {
            _entries.Add(new SpoolEntry(info.Sequence, info.TimestampMs, info.SpooledAtMs, segment, position, recordLength));
        }
    }

    /// <summary>A bad record with good ones after it: skipped. Most records are fragments, so it counts as a lost one.</summary>
    private void CountCorrupt(SpoolSegment segment, long position, long bytes)
    {
        CorruptRecords++;
        DroppedFragments++;
        _metrics.Dropped(SpoolDropReason.Corrupt, 1);
        SpoolLog.CorruptRecordSkipped(_logger, _options.Name, segment.FileName, position, bytes);
    }

    private void SetAside(string path, string reason)
    {
        var corrupt = path + SpoolFormat.CorruptExtension;
        File.Move(path, corrupt, overwrite: true);
        CorruptRecords++;
        _metrics.Dropped(SpoolDropReason.Corrupt, 1);
        SpoolLog.SegmentSetAside(_logger, _options.Name, Path.GetFileName(path), reason, Path.GetFileName(corrupt));
    }

    /// <summary>Reads and checks the record at <paramref name="position"/>; its payload is left at the start of <paramref name="buffer"/>.</summary>
    private static bool TryReadRecordAt(SafeFileHandle handle, long position, long length, ref byte[] buffer, out int payloadLength)
    {
        payloadLength = 0;
        if (length - position < SpoolFormat.RecordHeaderSize)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[SpoolFormat.RecordHeaderSize];
        if (RandomAccess.Read(handle, header, position) != header.Length)
        {
            return false;
        }

        var payload = SpoolFormat.ReadPayloadLength(header);
        if (payload < 0 || position + SpoolFormat.RecordHeaderSize + payload > length)
        {
            return false;
        }

        if (buffer.Length < payload)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = ArrayPool<byte>.Shared.Rent(payload);
        }

        var span = buffer.AsSpan(0, payload);
        if (RandomAccess.Read(handle, span, position + SpoolFormat.RecordHeaderSize) != payload || !SpoolFormat.ChecksumMatches(header, span))
        {
            return false;
        }

        payloadLength = payload;
        return true;
    }

    /// <summary>The offset of the next valid record at or after <paramref name="from"/>, or -1.</summary>
    private static long FindNextRecord(SafeFileHandle handle, long from, long length, ref byte[] buffer)
    {
        var chunk = ArrayPool<byte>.Shared.Rent(ScanChunk);
        try
        {
            var offset = from;
            while (length - offset >= SpoolFormat.RecordHeaderSize)
            {
                var count = RandomAccess.Read(handle, chunk.AsSpan(0, (int)Math.Min(ScanChunk, length - offset)), offset);
                if (count < SpoolFormat.RecordHeaderSize)
                {
                    return -1;
                }

                var span = chunk.AsSpan(0, count);
                var start = 0;
                int found;
                while ((found = span[start..].IndexOf(SpoolFormat.RecordMarkerBytes)) >= 0)
                {
                    var candidate = offset + start + found;
                    if (TryReadRecordAt(handle, candidate, length, ref buffer, out _))
                    {
                        return candidate;
                    }

                    start += found + 1;
                }

                // Overlap by the marker's length minus one, so a marker across two chunks is still found.
                offset += count - (SpoolFormat.RecordMarkerBytes.Length - 1);
            }

            return -1;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }
}
