namespace VideoStreams.Producer.Spool;

public sealed partial class FragmentSpool
{
    /// <summary>The sequence number the next fragment must have at least (seed the fragmenter with it after a restart).</summary>
    public long NextSequenceNumber
    {
        get
        {
            lock (_lock)
            {
                return _nextSequence;
            }
        }
    }

    /// <summary>Fragments waiting for an acknowledgement.</summary>
    public int PendingCount
    {
        get
        {
            lock (_lock)
            {
                return _pendingCount;
            }
        }
    }

    /// <summary>Record bytes of the fragments waiting for an acknowledgement.</summary>
    public long PendingBytes
    {
        get
        {
            lock (_lock)
            {
                return _pendingBytes;
            }
        }
    }

    /// <summary>Size of the segment files on disk (what <see cref="SpoolOptions.MaxBytes"/> bounds).</summary>
    public long DiskBytes
    {
        get
        {
            lock (_lock)
            {
                return _diskBytes;
            }
        }
    }

    /// <summary>How long the oldest unacknowledged fragment has waited (zero when none): latency pressure.</summary>
    public TimeSpan OldestPendingAge
    {
        get
        {
            lock (_lock)
            {
                var oldest = FirstPending();
                return oldest is null ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Max(0, NowMs() - oldest.SpooledAtMs));
            }
        }
    }

    /// <summary>Segment files now in the spool.</summary>
    public int SegmentCount
    {
        get
        {
            lock (_lock)
            {
                return _segments.Count;
            }
        }
    }

    /// <summary>fsync calls made on segment files since opening.</summary>
    public long SyncCount { get; private set; }

    /// <summary>Records skipped since opening because their checksum failed (their fragments are lost).</summary>
    public long CorruptRecords { get; private set; }

    /// <summary>Unacknowledged fragments dropped since opening (overflow, age, corruption).</summary>
    public long DroppedFragments { get; private set; }
}
