using System.Buffers;
using VideoStreams.Producer.Buffers;
using VideoStreams.Producer.Fragmenting;

namespace VideoStreams.Producer.Upload;

/// <summary>
/// The fragment in progress, handed from the capture thread to a <see cref="PutMediaUploader"/> as it grows, so that
/// the uploader can send each frame as it is captured instead of each fragment once it is complete (see
/// docs/PRODUCER.md, "Frames as captured"). The capture side calls <see cref="Publish(Fragmenter)"/> after every
/// access unit (with <see cref="FragmenterOptions.FramesAsCaptured"/> on); the uploader copies what is new.
/// </summary>
/// <remarks>
/// Only the fragment in progress is kept, from its first byte: a fragment that completes leaves the feed and is sent
/// from the spool, like any other. The contract with the spool: append each completed fragment to the spool
/// <em>before</em> publishing anything of the next one (and call <see cref="End"/> after appending the last one), so
/// that when the uploader sees a fragment leave the feed, the spool already has all of it. One thread publishes;
/// copying is done under a lock; nothing is allocated once the buffer has grown to the largest fragment.
/// </remarks>
public sealed class LiveFragmentFeed : IDisposable
{
    private readonly Lock _lock = new();
    private readonly AsyncSignal _changed = new();
    private byte[] _bytes = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private int _length;
    private bool _open;
    private long _sequence = -1;
    private int _headerVersion;
    private ReadOnlyMemory<byte> _header;
    private long _timestampMs;
    private bool _disposed;

    /// <summary>
    /// Mirrors the fragmenter's fragment in progress (<see cref="Fragmenter.FragmentInProgress"/>); ends the feed's
    /// fragment when none is open. Call it after each <see cref="Fragmenter.Add"/> (and after spooling the fragment
    /// that call completed).
    /// </summary>
    /// <exception cref="InvalidOperationException">The fragmenter does not have <see cref="FragmenterOptions.FramesAsCaptured"/>.</exception>
    public void Publish(Fragmenter fragmenter)
    {
        ArgumentNullException.ThrowIfNull(fragmenter);
        var bytes = fragmenter.FragmentInProgress;
        if (bytes.IsEmpty)
        {
            if (fragmenter.IsFragmentOpen)
            {
                throw new InvalidOperationException("The fragmenter does not lay fragments out for sending as captured: set FragmenterOptions.FramesAsCaptured.");
            }

            End();
            return;
        }

        Publish(fragmenter.FragmentInProgressSequenceNumber, fragmenter.HeaderVersion, fragmenter.CurrentHeader, fragmenter.FragmentInProgressTimestampMs, bytes);
    }

    /// <summary>
    /// Publishes the bytes of a fragment in progress written so far: a new <paramref name="sequenceNumber"/> starts a
    /// new fragment, the same one must only have grown (only what is new is copied).
    /// </summary>
    /// <param name="sequenceNumber">The fragment's sequence number (what the spool will know it by).</param>
    /// <param name="headerVersion">The version of the stream header it needs.</param>
    /// <param name="header">That stream header (kept by reference: it must not change).</param>
    /// <param name="timestampMs">Its cluster timestamp.</param>
    /// <param name="bytesSoFar">Its body so far: optional Tags, then a Cluster of unknown size.</param>
    /// <exception cref="ArgumentException">The same fragment with fewer bytes than before.</exception>
    public void Publish(long sequenceNumber, int headerVersion, ReadOnlyMemory<byte> header, long timestampMs, ReadOnlySpan<byte> bytesSoFar)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_open || sequenceNumber != _sequence)
            {
                _open = true;
                _sequence = sequenceNumber;
                _headerVersion = headerVersion;
                _header = header;
                _timestampMs = timestampMs;
                _length = 0;
            }
            else if (bytesSoFar.Length < _length)
            {
                throw new ArgumentException($"Fragment {sequenceNumber} shrank from {_length} to {bytesSoFar.Length} bytes.", nameof(bytesSoFar));
            }

            if (bytesSoFar.Length == _length)
            {
                return;
            }

            if (_bytes.Length < bytesSoFar.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Max(bytesSoFar.Length, _bytes.Length * 2));
                _bytes.AsSpan(0, _length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_bytes);
                _bytes = larger;
            }

            bytesSoFar[_length..].CopyTo(_bytes.AsSpan(_length));
            _length = bytesSoFar.Length;
        }

        _changed.Set();
    }

    /// <summary>No fragment is in progress any more (the source stopped; the last one is in the spool).</summary>
    public void End()
    {
        lock (_lock)
        {
            if (!_open)
            {
                return;
            }

            _open = false;
        }

        _changed.Set();
    }

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _open = false;
            ArrayPool<byte>.Shared.Return(_bytes);
            _bytes = [];
        }

        _changed.Set();
    }

    /// <summary>The fragment in progress, if any.</summary>
    internal bool TryGetInProgress(out LiveFragmentStart start)
    {
        lock (_lock)
        {
            start = new LiveFragmentStart(_sequence, _headerVersion, _header, _timestampMs);
            return _open;
        }
    }

    /// <summary>
    /// Copies the bytes of fragment <paramref name="sequenceNumber"/> from <paramref name="offset"/> on into
    /// <paramref name="destination"/> at <paramref name="destinationOffset"/>, growing it (pooled) when needed, with
    /// <paramref name="slack"/> bytes to spare after them. Returns how many; <paramref name="inProgress"/> is false
    /// (and nothing copied) once the fragment has left the feed.
    /// </summary>
    internal int CopyNew(long sequenceNumber, int offset, ref byte[] destination, int destinationOffset, int slack, out bool inProgress)
    {
        lock (_lock)
        {
            inProgress = _open && _sequence == sequenceNumber;
            if (!inProgress || _length <= offset)
            {
                return 0;
            }

            var count = _length - offset;
            var need = destinationOffset + count + slack;
            if (destination.Length < need)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Max(need, destination.Length * 2));
                if (destination.Length > 0)
                {
                    ArrayPool<byte>.Shared.Return(destination);
                }

                destination = larger;
            }

            _bytes.AsSpan(offset, count).CopyTo(destination.AsSpan(destinationOffset));
            return count;
        }
    }

    /// <summary>Completes when something changed since the last wait (new bytes, a new fragment, the end) or on <see cref="Wake"/>.</summary>
    internal ValueTask WaitAsync() => _changed.WaitAsync();

    /// <summary>Wakes the waiter (a session ending or stopping).</summary>
    internal void Wake() => _changed.Set();
}

/// <summary>The start of a fragment in the feed: what the uploader needs before its first byte.</summary>
internal readonly record struct LiveFragmentStart(long SequenceNumber, int HeaderVersion, ReadOnlyMemory<byte> Header, long TimestampMs);
