using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using VideoStreams.Producer.Buffers;

namespace VideoStreams.Producer.Spool;

/// <summary>
/// A durable local buffer of fragments not yet acknowledged by the server, so that a device on a flaky uplink loses
/// nothing it captured. Fragments are appended as checksummed MessagePack records to segment files (see
/// docs/PRODUCER.md for the format), synced per <see cref="SpoolOptions.SyncMode"/>; <see cref="Acknowledge"/>
/// releases one (on PERSISTED, or RECEIVED for a stream with retention 0), and a segment file is deleted once all its
/// fragments are released. After a restart, <see cref="Open"/> cuts a torn tail, skips (and counts) corrupt records,
/// and <see cref="TryReadNext"/> replays the unacknowledged fragments in order. The spool is bounded by
/// <see cref="SpoolOptions.MaxBytes"/> (overflow drops the oldest segment, or refuses new fragments) and by
/// <see cref="SpoolOptions.MaxAge"/>. Thread-safe: typically the fragmenter's thread appends while the uploader
/// reads and acknowledges.
/// </summary>
public sealed partial class FragmentSpool : IDisposable
{
    private readonly SpoolOptions _options;
    private readonly string _directory;
    private readonly long _segmentBytes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SpoolMetrics _metrics;
    private readonly Lock _lock = new();
    private readonly List<SpoolSegment> _segments = [];
    private readonly List<SpoolEntry> _entries = [];
    private readonly PooledBufferWriter _record = new(64 * 1024);
    private readonly ISpoolFiles _files;
    private Stream? _active;
    private FileStream? _lockFile;
    private SpoolSegment? _activeSegment;
    private long _nextSequence;
    private long _diskBytes;
    private long _pendingBytes;
    private int _pendingCount;
    private long _lastSyncMs;
    private bool _disposed;

    private FragmentSpool(SpoolOptions options, TimeProvider time, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory, ISpoolFiles files)
    {
        _options = options;
        _files = files;
        _directory = Path.GetFullPath(options.Directory);
        _segmentBytes = options.EffectiveSegmentBytes;
        _time = time;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("VideoStreams.Producer.Spool");
        _metrics = new SpoolMetrics(meterFactory, options.Name, this);
    }

    /// <summary>
    /// Opens (or creates) the spool in <see cref="SpoolOptions.Directory"/> and recovers what is there: a torn record
    /// at the end is cut, corrupt records are skipped and counted, an unreadable segment file is renamed
    /// <c>*.corrupt</c>, acknowledged fragments are forgotten. A new segment file is started for appends.
    /// </summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <exception cref="IOException">The folder cannot be created or read, or another spool has it open.</exception>
    public static FragmentSpool Open(SpoolOptions options, TimeProvider? time = null, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null) =>
        OpenWithFiles(options, time, loggerFactory, meterFactory, SpoolFiles.Default);

    internal static FragmentSpool OpenWithFiles(SpoolOptions options, TimeProvider? time, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory, ISpoolFiles files)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var spool = new FragmentSpool(options, time ?? TimeProvider.System, loggerFactory, meterFactory, files);
        try
        {
            spool.Recover();
            return spool;
        }
        catch
        {
            spool.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Appends a fragment and, with <see cref="SpoolSyncMode.EveryFragment"/>, syncs it before returning. When the
    /// spool is full, the oldest segment is dropped first (or the fragment refused, per the overflow policy).
    /// </summary>
    /// <exception cref="ArgumentException">The sequence number is below <see cref="NextSequenceNumber"/> (a caller bug).</exception>
    /// <exception cref="IOException">The disk refused the write.</exception>
    public SpoolAppendResult Append(ProducerFragment fragment)
    {
        ArgumentNullException.ThrowIfNull(fragment);
        TaskCompletionSource signal;
        var dropped = 0;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (fragment.SequenceNumber < _nextSequence)
            {
                throw new ArgumentException($"Fragment {fragment.SequenceNumber} is not after the last spooled sequence ({_nextSequence - 1}).", nameof(fragment));
            }

            var now = NowMs();
            dropped += ExpireByAge(now);
            EncodeFragment(fragment, now);
            var size = _record.WrittenCount;
            if (size + SpoolFormat.SegmentHeaderSize > _options.MaxBytes)
            {
                _metrics.Rejected(SpoolAppendStatus.TooLarge);
                return new SpoolAppendResult(SpoolAppendStatus.TooLarge, dropped);
            }

            if (_activeSegment!.Length > SpoolFormat.SegmentHeaderSize && _activeSegment.Length + size > _segmentBytes)
            {
                if (!TryRoll(now, fragment.SequenceNumber, ref dropped))
                {
                    _metrics.Rejected(SpoolAppendStatus.DiskFull);
                    return new SpoolAppendResult(SpoolAppendStatus.DiskFull, dropped);
                }
            }

            var room = MakeRoom(size, fragment.SequenceNumber, now, ref dropped);
            if (room != SpoolAppendStatus.Appended)
            {
                _metrics.Rejected(room);
                return new SpoolAppendResult(room, dropped);
            }

            var entry = new SpoolEntry(fragment.SequenceNumber, fragment.TimestampMs, now, _activeSegment, _activeSegment.Length, size);
            if (!TryWriteFragmentRecord(fragment.SequenceNumber, ref dropped))
            {
                _metrics.Rejected(SpoolAppendStatus.DiskFull);
                return new SpoolAppendResult(SpoolAppendStatus.DiskFull, dropped);
            }

            _entries.Add(entry);
            _activeSegment.Pending++;
            _pendingCount++;
            _pendingBytes += size;
            _nextSequence = fragment.SequenceNumber + 1;
            SyncIfDue(now);
            _metrics.Appended(size);
            signal = _appended;
            _appended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        signal.TrySetResult();
        return new SpoolAppendResult(SpoolAppendStatus.Appended, dropped);
    }

    /// <summary>
    /// Releases a fragment: call it on the PERSISTED ack (RECEIVED for a stream with retention 0). The release is
    /// journalled in the spool without an fsync of its own (it is synced with the next fragment); if it is lost in a
    /// power cut, the fragment is sent again, which the server treats as a duplicate.
    /// </summary>
    /// <returns>False when the fragment is not pending (unknown, already acknowledged, or dropped).</returns>
    public bool Acknowledge(long sequenceNumber)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var index = IndexOf(sequenceNumber);
            if (index < 0 || _entries[index].State != SpoolEntryState.Pending)
            {
                return false;
            }

            var entry = _entries[index];
            Release(entry, SpoolEntryState.Acknowledged);
            try
            {
                WriteRelease(SpoolRecordKind.Acknowledgement, sequenceNumber, NowMs());
            }
            catch (IOException e) when (SpoolFiles.IsDiskFull(e))
            {
                // Released in memory all the same; without its journal record a restart sends it again (a duplicate).
                UndoPartialWrite();
            }
            _metrics.Acknowledged();
            DeleteReleasedSegments();
            return true;
        }
    }

    /// <summary>Syncs what was appended or acknowledged so far, whatever the sync mode.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Sync(NowMs());
        }
    }

    /// <summary>Drops fragments older than <see cref="SpoolOptions.MaxAge"/> now (appends do it too). Returns how many.</summary>
    public int EnforceMaxAge()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return ExpireByAge(NowMs());
        }
    }

    /// <summary>Sequence numbers of the pending fragments, in order.</summary>
    public IReadOnlyList<long> PendingSequenceNumbers()
    {
        lock (_lock)
        {
            var list = new List<long>(_pendingCount);
            foreach (var entry in _entries)
            {
                if (entry.State == SpoolEntryState.Pending)
                {
                    list.Add(entry.Sequence);
                }
            }

            return list;
        }
    }

    /// <summary>Syncs and closes the files. Pending fragments stay on disk for the next <see cref="Open"/>.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_active is not null)
            {
                SpoolFiles.Sync(_active);
                _active.Dispose();
                _active = null;
            }

            foreach (var segment in _segments)
            {
                segment.Dispose();
            }

            _record.Dispose();
            _appended.TrySetCanceled();
            _lockFile?.Dispose();
        }

        _metrics.Dispose();
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private void EncodeFragment(ProducerFragment fragment, long now)
    {
        _record.Clear();
        _record.Advance(SpoolFormat.RecordHeaderSize);
        SpoolRecord.WriteFragment(_record, fragment, now);
        SpoolFormat.WriteRecordHeader(_record.WrittenSpanForPatching);
    }

    /// <summary>Journals that a fragment left the spool (acknowledged or expired); synced with the next fragment.</summary>
    private void WriteRelease(SpoolRecordKind kind, long sequence, long now)
    {
        _record.Clear();
        _record.Advance(SpoolFormat.RecordHeaderSize);
        SpoolRecord.WriteRelease(_record, kind, sequence, now);
        SpoolFormat.WriteRecordHeader(_record.WrittenSpanForPatching);
        WriteRecord();
    }

    private void WriteRecord()
    {
        // Unbuffered stream: the bytes reach the OS in this call, so readers see them at once.
        _active!.Write(_record.WrittenSpan);
        _activeSegment!.Length += _record.WrittenCount;
        _diskBytes += _record.WrittenCount;
    }

    private void SyncIfDue(long now)
    {
        switch (_options.SyncMode)
        {
            case SpoolSyncMode.EveryFragment:
                Sync(now);
                break;
            case SpoolSyncMode.Interval when now - _lastSyncMs >= (long)_options.SyncInterval.TotalMilliseconds:
                Sync(now);
                break;
        }
    }

    private void Sync(long now)
    {
        SpoolFiles.Sync(_active!);
        _lastSyncMs = now;
        SyncCount++;
        _metrics.Synced();
    }

    private void Release(SpoolEntry entry, SpoolEntryState state)
    {
        entry.State = state;
        entry.Segment.Pending--;
        _pendingCount--;
        _pendingBytes -= entry.RecordLength;
    }

    private SpoolEntry? FirstPending()
    {
        foreach (var entry in _entries)
        {
            if (entry.State == SpoolEntryState.Pending)
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>Binary search by sequence number (entries are in sequence order).</summary>
    private int IndexOf(long sequence)
    {
        int lo = 0, hi = _entries.Count - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var value = _entries[mid].Sequence;
            if (value == sequence)
            {
                return mid;
            }

            if (value < sequence)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return ~lo;
    }
}
