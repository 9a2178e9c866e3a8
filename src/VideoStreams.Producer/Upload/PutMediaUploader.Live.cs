using System.Buffers;

namespace VideoStreams.Producer.Upload;

public sealed partial class PutMediaUploader
{
    private sealed partial class UploadSession
    {
        private byte[] _liveScratch = [];

        // When the frame being written started to be written (0: none is): a connection that stops taking bytes in
        // the middle of a fragment sent as captured owes no ack (the fragment is BUFFERING and newest), so a write
        // that does not complete is what shows the stall (see AwaitingAck).
        private long _liveWriteSince;

        /// <summary>
        /// At the live edge (the spool had nothing after the last fragment sent): sends the feed's fragment in progress
        /// frame by frame as it grows, in its Cluster of unknown size, then its last bytes from the spool once it is
        /// complete. Returns false, having sent nothing, when there is nothing to follow: no fragment in progress, one
        /// already sent, one that needs another stream header (it will come from the spool and end the session).
        /// </summary>
        /// <remarks>
        /// The fragment is joined at its first byte whatever was captured of it already (the feed keeps it all), so a
        /// session returns to sending as captured at a fragment boundary, never in the middle of one. What it cannot
        /// do is leave a fragment half sent: if the fragment never reaches the spool (refused when full), the session
        /// ends with an error, so the server drops the incomplete cluster rather than store it.
        /// </remarks>
        private async Task<bool> TrySendLiveAsync(PutMediaConnection connection, LiveFragmentFeed live, CancellationToken token)
        {
            if (!live.TryGetInProgress(out var start) || start.SequenceNumber <= _lastSent)
            {
                return false;
            }

            var spool = _owner._spool;
            if (spool.TryReadNext(_lastSent, out _))
            {
                // The fragment before it completed after the spool was last read: that one goes first, whole.
                return true;
            }

            if (!_header.IsEmpty && !start.Header.Span.SequenceEqual(_header.Span))
            {
                return false;
            }

            await WaitForWindowAsync(0, token).ConfigureAwait(false);
            if (_header.IsEmpty)
            {
                _header = start.Header;
                await connection.WriteChunkAsync(_header, flush: false, token).ConfigureAwait(false);
                Bytes += _header.Length;
            }

            var sequence = start.SequenceNumber;
            var inFlight = Register(new InFlight(sequence, start.TimestampMs, start.TimestampMs, 0) { Sized = false });
            var offset = 0;
            while (true)
            {
                var count = live.CopyNew(sequence, offset, ref _liveScratch, PutMediaConnection.ChunkPrefix, 2, out var inProgress);
                if (count > 0)
                {
                    Volatile.Write(ref _liveWriteSince, _owner._time.GetTimestamp());
                    await connection.WriteFramedChunkAsync(_liveScratch, count, token).ConfigureAwait(false);
                    Volatile.Write(ref _liveWriteSince, 0);
                    offset += count;
                    Bytes += count;
                    _owner._metrics.Bytes(count);
                }

                if (!inProgress)
                {
                    break;
                }

                if (count == 0)
                {
                    await live.WaitAsync().ConfigureAwait(false);
                    token.ThrowIfCancellationRequested();
                }
            }

            // Complete: the spool has it (appended before the feed moved on), with whatever the feed had no time to show.
            if (!spool.TryReadNext(_lastSent, out var complete) || complete.SequenceNumber != sequence || complete.Size < offset)
            {
                throw new IOException($"fragment {sequence} ended without reaching the spool after {offset} bytes of it were sent as captured; "
                    + "ending the session so that the server drops it rather than store it cut short");
            }

            if (complete.Size > offset)
            {
                await connection.WriteChunkAsync(complete.Body[offset..], flush: true, token).ConfigureAwait(false);
                Bytes += complete.Size - offset;
                _owner._metrics.Bytes(complete.Size - offset);
            }

            Completed(inFlight, complete);
            _lastSent = sequence;
            Sent++;
            Interlocked.Increment(ref _owner._sentAsCaptured);
            _owner._metrics.SentAsCaptured();
            return true;
        }

        private void ReturnLiveScratch()
        {
            if (_liveScratch.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_liveScratch);
                _liveScratch = [];
            }
        }
    }
}
