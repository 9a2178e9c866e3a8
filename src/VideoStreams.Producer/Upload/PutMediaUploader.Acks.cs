namespace VideoStreams.Producer.Upload;

public sealed partial class PutMediaUploader
{
    private sealed partial class UploadSession
    {
        /// <summary>Handles one ack (called by the response reader only).</summary>
        private void OnAck(PutMediaAck ack)
        {
            var owner = _owner;
            Interlocked.Exchange(ref owner._lastAckTimestamp, owner._time.GetTimestamp());
            owner._metrics.Ack(ack.Type, ack.ErrorId);
            if (ack.Type is PutMediaAckType.Idle or PutMediaAckType.Unknown)
            {
                return;
            }

            InFlight? fragment;
            lock (_lock)
            {
                _progressTimestamp = owner._time.GetTimestamp();
                fragment = Find(ack);
                if (fragment is null)
                {
                    if (ack.Type == PutMediaAckType.Error)
                    {
                        // An error about nothing we have in flight (the header, or bytes between fragments with none
                        // sent yet): the session cannot go on; a new one starts from the first unacknowledged.
                        _retryCause ??= $"the server answered {ack.ErrorId} {ack.ErrorCode ?? AckErrors.Name(ack.ErrorId)} outside any fragment";
                    }
                    else
                    {
                        UploaderLog.UnmatchedAck(owner._logger, owner._options.StreamName, ack.Type, ack.FragmentTimecode);
                    }

                    return;
                }

                if (ack.Type == PutMediaAckType.Received)
                {
                    fragment.Received = true;
                }

                fragment.Buffering = true;
            }

            switch (ack.Type)
            {
                case PutMediaAckType.Received when Options.AcknowledgeOnReceived:
                case PutMediaAckType.Persisted:
                    Release(fragment);
                    break;
                case PutMediaAckType.Error:
                    OnError(ack, fragment);
                    break;
            }
        }

        private void OnError(PutMediaAck ack, InFlight fragment)
        {
            var code = ack.ErrorCode ?? AckErrors.Name(ack.ErrorId);
            switch (AckErrors.Classify(ack.ErrorId))
            {
                case AckErrorAction.Skip:
                    Remove(fragment);
                    _owner._spool.Acknowledge(fragment.Sequence);
                    Skipped++;
                    Interlocked.Increment(ref _owner._skipped);
                    _owner._metrics.Skipped(ack.ErrorId ?? 0);
                    UploaderLog.Skipped(_owner._logger, Options.StreamName, fragment.Sequence, fragment.Timecode, ack.ErrorId ?? 0, code);
                    _owner.FragmentSkipped?.Invoke(_owner, new FragmentSkippedEventArgs(fragment.Sequence, fragment.Timecode, ack.ErrorId ?? 0, code));
                    break;
                case AckErrorAction.Fatal:
                    var detail = $"ERROR ack {ack.ErrorId} {code} for fragment {fragment.Sequence}";
                    _fatal ??= new UploadFatalException(0, code, $"PutMedia to stream '{Options.StreamName}' was refused: {detail}");
                    EndReason = "refused: " + code;
                    UploaderLog.Fatal(_owner._logger, Options.StreamName, 0, code, detail);
                    _abort.Cancel();
                    break;
                default:
                    _retryCause ??= $"the server answered {ack.ErrorId} {code} for fragment {fragment.Sequence}";
                    UploaderLog.RetryableError(_owner._logger, Options.StreamName, ack.ErrorId ?? 0, code, ack.FragmentTimecode);
                    break;
            }
        }

        /// <summary>The in-flight fragment an ack is about: by timecode, or for an ERROR without one, the fragment the
        /// server was reading (the first one not yet RECEIVED).</summary>
        private InFlight? Find(PutMediaAck ack)
        {
            foreach (var f in _inFlight)
            {
                if (ack.FragmentTimecode is { } t ? f.Timecode == t : ack.Type == PutMediaAckType.Error && !f.Received)
                {
                    return f;
                }
            }

            return null;
        }

        private void Release(InFlight fragment)
        {
            Remove(fragment);
            if (_owner._spool.Acknowledge(fragment.Sequence))
            {
                Released++;
                Interlocked.Increment(ref _owner._released);
                var latency = _owner._time.GetUtcNow().ToUnixTimeMilliseconds() - fragment.EndMs;
                if (latency >= 0)
                {
                    _owner._metrics.Latency(TimeSpan.FromMilliseconds(latency));
                }
            }
        }

        private void Remove(InFlight fragment)
        {
            TaskCompletionSource signal;
            lock (_lock)
            {
                if (!_inFlight.Remove(fragment))
                {
                    return;
                }

                _inFlightBytes -= fragment.Size;
                signal = _windowChanged;
                _windowChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            signal.TrySetResult();
        }

        /// <summary>Registers a fragment about to be written (before its first byte, so a stall during the write counts).</summary>
        private void Register(ProducerFragment fragment, bool sized) =>
            Register(new InFlight(fragment.SequenceNumber, fragment.TimestampMs, fragment.TimestampMs + fragment.DurationMs, fragment.Size) { Sized = sized });

        private InFlight Register(InFlight fragment)
        {
            lock (_lock)
            {
                if (_inFlight.Count == 0)
                {
                    // The stall clock starts when something is in flight, not at the last ack of an idle stretch.
                    _progressTimestamp = _owner._time.GetTimestamp();
                }

                _inFlight.Add(fragment);
                _inFlightBytes += fragment.Size;
            }

            return fragment;
        }

        /// <summary>True when a fragment sent with a cluster of unknown size awaits its acks.</summary>
        private bool HasUnsizedInFlight()
        {
            lock (_lock)
            {
                foreach (var f in _inFlight)
                {
                    if (!f.Sized)
                    {
                        return true;
                    }
                }

                return false;
            }
        }

        /// <summary>A fragment sent as captured is complete: its size and end are known now.</summary>
        private void Completed(InFlight fragment, ProducerFragment complete)
        {
            lock (_lock)
            {
                fragment.EndMs = complete.TimestampMs + complete.DurationMs;
                if (_inFlight.Contains(fragment))
                {
                    _inFlightBytes += complete.Size - fragment.Size;
                }

                fragment.Size = complete.Size;
            }
        }

        /// <summary>Waits until one more fragment of <paramref name="size"/> bytes fits the in-flight window.</summary>
        private async Task WaitForWindowAsync(int size, CancellationToken cancellationToken)
        {
            while (true)
            {
                Task changed;
                lock (_lock)
                {
                    if (_inFlight.Count == 0
                        || (_inFlight.Count < Options.MaxFragmentsInFlight && _inFlightBytes + size <= Options.MaxBytesInFlight))
                    {
                        return;
                    }

                    changed = _windowChanged.Task;
                }

                await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
