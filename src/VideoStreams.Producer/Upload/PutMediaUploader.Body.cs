using System.Net;

namespace VideoStreams.Producer.Upload;

public sealed partial class PutMediaUploader
{
    /// <summary>
    /// The PutMedia body: the session's stream header once, then each fragment's body as the spool yields it, written
    /// straight from the fragment's memory (no copy) and flushed per fragment so the server sees it at once. Ends
    /// (cleanly, with the last chunk) on a graceful stop or when the next fragment needs another stream header.
    /// </summary>
    private sealed class FragmentBodyContent(UploadSession session) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            session.WriteBodyAsync(stream, CancellationToken.None);

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
            session.WriteBodyAsync(stream, cancellationToken);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    private sealed partial class UploadSession
    {
        public async Task WriteBodyAsync(Stream stream, CancellationToken cancellationToken)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _abort.Token);
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(linked.Token, _stopSending.Token);
            var spool = _owner._spool;
            var fragment = _first;
            try
            {
                while (true)
                {
                    if (fragment is null)
                    {
                        if (_stopSending.IsCancellationRequested)
                        {
                            return;
                        }

                        if (!spool.TryReadNext(_lastSent, out fragment))
                        {
                            await spool.WaitForFragmentAsync(_lastSent, waiting.Token).ConfigureAwait(false);
                            continue;
                        }
                    }

                    if (_header.IsEmpty)
                    {
                        _header = fragment.Header;
                        await stream.WriteAsync(_header, linked.Token).ConfigureAwait(false);
                        Bytes += _header.Length;
                    }
                    else if (!fragment.Header.Span.SequenceEqual(_header.Span))
                    {
                        // KVS refuses a second Segment in one body: end this one; the next session starts with the new header.
                        _headerChanged = true;
                        UploaderLog.HeaderChanged(_owner._logger, Options.StreamName, fragment.SequenceNumber, Id);
                        return;
                    }

                    await WaitForWindowAsync(fragment.Size, waiting.Token).ConfigureAwait(false);
                    Register(fragment);
                    // Not cancelled by a graceful stop: a fragment is never cut in the middle.
                    await stream.WriteAsync(fragment.Body, linked.Token).ConfigureAwait(false);
                    await stream.FlushAsync(linked.Token).ConfigureAwait(false);
                    _lastSent = fragment.SequenceNumber;
                    Sent++;
                    Bytes += fragment.Size;
                    _owner._metrics.Bytes(fragment.Size);
                    fragment = null;
                }
            }
            catch (OperationCanceledException) when (_stopSending.IsCancellationRequested && !linked.IsCancellationRequested)
            {
                // Graceful stop while waiting for a fragment or for room: end the body here, cleanly.
            }
        }
    }
}
