namespace VideoStreams.Producer.Upload;

public sealed partial class PutMediaUploader
{
    private sealed partial class UploadSession
    {
        /// <summary>
        /// The PutMedia body: the session's stream header once, then each fragment's body as the spool yields it, each
        /// one chunk written straight from the fragment's memory (no copy) and flushed, so the server sees it at once.
        /// Ends cleanly (the last chunk) on a graceful stop or when the next fragment needs another stream header.
        /// With a live feed, the fragment in progress is sent frame by frame whenever the spool has nothing older
        /// to send (<see cref="TrySendLiveAsync"/>).
        /// Never throws: a write error cancels the session (the reader then reports it).
        /// </summary>
        private async Task WriteBodyAsync(PutMediaConnection connection)
        {
            var token = _abort.Token;
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(token, _stopSending.Token);
            var spool = _owner._spool;
            var live = _owner._live;
            var fragment = _first;
            var sizeField = new byte[8];
            // The live feed's wait takes no token (it allocates nothing per frame): ending or stopping wakes it instead.
            using var wakeOnEnd = live is null ? default : token.UnsafeRegister(static s => ((LiveFragmentFeed)s!).Wake(), live);
            using var wakeOnStop = live is null ? default : _stopSending.Token.UnsafeRegister(static s => ((LiveFragmentFeed)s!).Wake(), live);
            try
            {
                while (true)
                {
                    if (fragment is null)
                    {
                        if (_stopSending.IsCancellationRequested)
                        {
                            break;
                        }

                        if (!spool.TryReadNext(_lastSent, out fragment))
                        {
                            if (live is not null)
                            {
                                // At the live edge: follow the fragment in progress, or wait for the feed (the capture
                                // side publishes after every spool append, so the feed also says when the spool has more).
                                if (!await TrySendLiveAsync(connection, live, token).ConfigureAwait(false))
                                {
                                    if (!live.TryGetInProgress(out _) && HasUnsizedInFlight())
                                    {
                                        // The capture stopped after a fragment sent as captured: the server can only
                                        // tell that its cluster (of unknown size) is complete when something follows
                                        // it, so end the body; a new session starts when there is more to send.
                                        _captureEnded = true;
                                        break;
                                    }

                                    await live.WaitAsync().ConfigureAwait(false);
                                    token.ThrowIfCancellationRequested();
                                }

                                continue;
                            }

                            try
                            {
                                await spool.WaitForFragmentAsync(_lastSent, waiting.Token).ConfigureAwait(false);
                            }
                            catch (OperationCanceledException) when (_stopSending.IsCancellationRequested && !token.IsCancellationRequested)
                            {
                                break;
                            }

                            continue;
                        }
                    }

                    if (_header.IsEmpty)
                    {
                        _header = fragment.Header;
                        await connection.WriteChunkAsync(_header, flush: false, token).ConfigureAwait(false);
                        Bytes += _header.Length;
                    }
                    else if (!fragment.Header.Span.SequenceEqual(_header.Span))
                    {
                        // KVS refuses a second Segment in one body: end this one; the next session starts with the new header.
                        _headerChanged = true;
                        UploaderLog.HeaderChanged(_owner._logger, Options.StreamName, fragment.SequenceNumber, Id);
                        break;
                    }

                    try
                    {
                        await WaitForWindowAsync(fragment.Size, waiting.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (_stopSending.IsCancellationRequested && !token.IsCancellationRequested)
                    {
                        break;
                    }

                    // Not cancelled by a graceful stop: a fragment is never cut in the middle.
                    var body = fragment.Body;
                    if (ClusterSize.TryFind(body.Span, out var sizeAt, out var clusterSize))
                    {
                        Register(fragment, sized: true);
                        ClusterSize.Write(sizeField, clusterSize);
                        await connection.WriteChunkAsync(body[..sizeAt], sizeField, body[(sizeAt + 8)..], flush: true, token).ConfigureAwait(false);
                    }
                    else
                    {
                        Register(fragment, sized: false);
                        await connection.WriteChunkAsync(body, flush: true, token).ConfigureAwait(false);
                    }

                    _lastSent = fragment.SequenceNumber;
                    Sent++;
                    Bytes += fragment.Size;
                    _owner._metrics.Bytes(fragment.Size);
                    fragment = null;
                }

                await connection.EndBodyAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // The session is over (ended, stalled, stopped after the grace period).
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
            {
                _writeError ??= e;
                await _abort.CancelAsync().ConfigureAwait(false);
            }
        }
    }
}
