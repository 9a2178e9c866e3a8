using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using MessagePack;

namespace VideoStreams.Producer.Spool;

public sealed partial class FragmentSpool
{
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Reads the first pending fragment whose sequence number is above <paramref name="afterSequence"/>: pass -1 for
    /// the oldest unacknowledged one (where a new session resends from), then the last one read. A record that fails
    /// its checksum now is dropped, counted and skipped.
    /// </summary>
    /// <returns>False when there is none (yet): see <see cref="WaitForFragmentAsync"/>.</returns>
    public bool TryReadNext(long afterSequence, [NotNullWhen(true)] out ProducerFragment? fragment)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var index = IndexOf(afterSequence + 1);
            for (var i = index < 0 ? ~index : index; i < _entries.Count; i++)
            {
                var entry = _entries[i];
                if (entry.State == SpoolEntryState.Pending && TryReadRecord(entry, out fragment))
                {
                    return true;
                }
            }

            fragment = null;
            return false;
        }
    }

    /// <summary>Completes when a pending fragment above <paramref name="afterSequence"/> exists.</summary>
    /// <exception cref="OperationCanceledException">Cancelled, or the spool was disposed.</exception>
    public async Task WaitForFragmentAsync(long afterSequence, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task signal;
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                var index = IndexOf(afterSequence + 1);
                for (var i = index < 0 ? ~index : index; i < _entries.Count; i++)
                {
                    if (_entries[i].State == SpoolEntryState.Pending)
                    {
                        return;
                    }
                }

                signal = _appended.Task;
            }

            await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private bool TryReadRecord(SpoolEntry entry, [NotNullWhen(true)] out ProducerFragment? fragment)
    {
        fragment = null;
        var buffer = ArrayPool<byte>.Shared.Rent(entry.RecordLength);
        try
        {
            var record = buffer.AsSpan(0, entry.RecordLength);
            var read = RandomAccess.Read(entry.Segment.ReadHandle, record, entry.Offset);
            if (read == entry.RecordLength
                && SpoolFormat.ReadPayloadLength(record) == entry.RecordLength - SpoolFormat.RecordHeaderSize
                && SpoolFormat.ChecksumMatches(record, record[SpoolFormat.RecordHeaderSize..]))
            {
                try
                {
                    fragment = SpoolRecord.ReadFragment(buffer.AsMemory(SpoolFormat.RecordHeaderSize, entry.RecordLength - SpoolFormat.RecordHeaderSize));
                    return true;
                }
                catch (MessagePackSerializationException)
                {
                    // Checked bytes that are not a fragment record: treated as corruption below.
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        // The bytes changed on disk since they were written (or recovered): this fragment cannot be sent.
        Release(entry, SpoolEntryState.Dropped);
        CorruptRecords++;
        DroppedFragments++;
        _metrics.Dropped(SpoolDropReason.Corrupt, 1);
        SpoolLog.CorruptOnRead(_logger, _options.Name, entry.Sequence, entry.Segment.FileName);
        DeleteReleasedSegments();
        return false;
    }
}
