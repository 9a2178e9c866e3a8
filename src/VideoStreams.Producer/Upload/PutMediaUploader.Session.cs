using System.Globalization;
using System.Net.Sockets;
using VideoStreams.Kvs;

namespace VideoStreams.Producer.Upload;

public sealed partial class PutMediaUploader
{
    private enum SessionEnd
    {
        /// <summary>Graceful stop: the body was ended and the acks awaited (or the grace period ran out).</summary>
        Stopped,

        /// <summary>The next fragment needs another stream header: a new session starts at once.</summary>
        HeaderChanged,

        /// <summary>The capture stopped after a fragment sent as captured: the body was ended so the server completes it.</summary>
        CaptureEnded,

        /// <summary>Anything else: the server ended it, an error, a dropped connection, a stall.</summary>
        Failed,
    }

    private readonly record struct SessionResult(SessionEnd End, bool MadeProgress, string CauseKind, string Cause);

    /// <summary>A fragment written into the current session and not yet released.</summary>
    private sealed class InFlight(long sequence, long timecode, long endMs, int size)
    {
        public long Sequence { get; } = sequence;

        public long Timecode { get; } = timecode;

        /// <summary>Known once the fragment is complete (for one sent as captured, when its last byte is sent).</summary>
        public long EndMs { get; set; } = endMs;

        /// <summary>Known once the fragment is complete; 0 before for one sent as captured.</summary>
        public int Size { get; set; } = size;

        public bool Received { get; set; }

        public bool Buffering { get; set; }

        /// <summary>Sent with its cluster size: the server can ack it without seeing the next fragment.</summary>
        public bool Sized { get; init; }
    }

    /// <summary>
    /// One PutMedia request: the body writer (<c>WriteBodyAsync</c>) reads the spool and registers each
    /// fragment it writes as in flight; the response reader matches acks to them by timecode. The two run at once.
    /// </summary>
    private sealed partial class UploadSession : IDisposable
    {
        private readonly PutMediaUploader _owner;
        private readonly ProducerFragment? _first;
        private readonly long _startTimestampMs;
        private readonly CancellationTokenSource _abort;
        private readonly CancellationTokenSource _stopSending = new();
        private readonly Lock _lock = new();
        private readonly List<InFlight> _inFlight = [];
        private long _inFlightBytes;
        private TaskCompletionSource _windowChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _progressTimestamp;
        private long _lastSent = -1;
        private ReadOnlyMemory<byte> _header;
        private volatile bool _headerChanged;
        private volatile bool _captureEnded;
        private volatile bool _stalled;
        private volatile bool _stopping;
        private string? _retryCause;
        private UploadFatalException? _fatal;
        private Exception? _writeError;

        /// <param name="owner">The uploader.</param>
        /// <param name="id">The session's id (logs).</param>
        /// <param name="first">The first fragment to send from the spool, or null to start with the live feed's.</param>
        /// <param name="startTimestampMs">The producer start timestamp: the first fragment's timestamp.</param>
        public UploadSession(PutMediaUploader owner, long id, ProducerFragment? first, long startTimestampMs)
        {
            _owner = owner;
            Id = id;
            _first = first;
            _startTimestampMs = startTimestampMs;
            // Created on the uploader's clock so that the graceful-stop grace period (CancelAfter) runs on it too.
            _abort = new CancellationTokenSource(Timeout.InfiniteTimeSpan, owner._time);
        }

        public long Id { get; }

        public int Sent { get; private set; }

        public int Released { get; private set; }

        public int Skipped { get; private set; }

        public long Bytes { get; private set; }

        public string EndReason { get; private set; } = "running";

        public int InFlightCount
        {
            get
            {
                lock (_lock)
                {
                    return _inFlight.Count;
                }
            }
        }

        private UploaderOptions Options => _owner._options;

        public async Task<SessionResult> RunAsync(CancellationToken stop)
        {
            using var stopping = stop.Register(BeginStop);
            var url = _owner._putMediaUrl;
            var headers = new List<(string Name, string Value)>
            {
                ("Host", url.Authority),
                ("Transfer-Encoding", "chunked"),
                ("Connection", "keep-alive"),
                ("User-Agent", "VideoStreams.Producer"),
                ("x-amzn-stream-name", Options.StreamName),
                ("x-amzn-fragment-timecode-type", "ABSOLUTE"),
                ("x-amzn-producer-start-timestamp", StartTimestamp(_startTimestampMs)),
                ("x-amzn-fragment-acknowledgment-required", "1"),
            };
            if (Options.Credentials is { } credentials)
            {
                SigV4Signer.Sign("POST", url, headers, credentials, Options.Region, _owner._time.GetUtcNow(), SigV4Signer.UnsignedPayload);
            }

            PutMediaConnection? connection = null;
            Task? writer = null;
            try
            {
                connection = await PutMediaConnection.OpenAsync(url, _owner._connect, Options.ConnectTimeout, _abort.Token).ConfigureAwait(false);
                await connection.WriteHeadAsync("POST", url, headers, _abort.Token).ConfigureAwait(false);
                writer = WriteBodyAsync(connection);
                var head = await connection.ReadHeadAsync(_abort.Token).ConfigureAwait(false);
                if (head.Status != 200)
                {
                    return await RefusedAsync(connection, head).ConfigureAwait(false);
                }

                using var parser = new AckParser();
                while (true)
                {
                    var read = await connection.ReadBodyAsync(parser.GetWriteBuffer(), _abort.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    parser.Advance(read);
                    while (parser.TryRead(out var ack))
                    {
                        OnAck(ack);
                    }

                    if (_fatal is not null)
                    {
                        throw _fatal;
                    }

                    if (_retryCause is { } cause)
                    {
                        return End(new SessionResult(SessionEnd.Failed, Progress, "error_ack", cause));
                    }
                }

                return End(_stopping ? new SessionResult(SessionEnd.Stopped, Progress, "stopped", "stopped")
                    : _headerChanged ? new SessionResult(SessionEnd.HeaderChanged, Progress, "header_changed", "new stream header")
                    : _captureEnded ? new SessionResult(SessionEnd.CaptureEnded, Progress, "capture_ended", "the capture stopped")
                    : new SessionResult(SessionEnd.Failed, Progress, "server_ended", "the server ended the session"));
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or AckFormatException
                or System.Security.Authentication.AuthenticationException)
            {
                if (_fatal is not null)
                {
                    throw _fatal;
                }

                var error = _writeError ?? e;
                return End(_stalled ? new SessionResult(SessionEnd.Failed, Progress, "stall", $"stalled: no ack for {Options.StallTimeout}")
                    : _stopping ? new SessionResult(SessionEnd.Stopped, Progress, "stopped", "stopped; the grace period for acks ran out")
                    : new SessionResult(SessionEnd.Failed, Progress, Kind(error, connection is null), Describe(error)));
            }
            finally
            {
                await _abort.CancelAsync().ConfigureAwait(false);
                if (writer is not null)
                {
                    await writer.ConfigureAwait(false);
                }

                if (connection is not null)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        /// <summary>Stall check, called by the monitor: true (once) when the session was just abandoned.</summary>
        public bool CheckStall(out TimeSpan quiet, out int inFlight)
        {
            lock (_lock)
            {
                inFlight = _inFlight.Count;
                quiet = _owner._time.GetElapsedTime(_progressTimestamp);
                if (_stalled || _abort.IsCancellationRequested || !AwaitingAck() || quiet < Options.StallTimeout)
                {
                    return false;
                }

                _stalled = true;
            }

            _abort.Cancel();
            return true;
        }

        /// <summary>
        /// True when the server owes an ack: for any fragment not yet BUFFERING, and for every one but the newest. The
        /// newest, if it went out with an unknown cluster size, can only be RECEIVED once the next one starts. Also
        /// true when a frame sent as captured has been stuck in the socket for half the stall timeout.
        /// </summary>
        private bool AwaitingAck()
        {
            var writeSince = Volatile.Read(ref _liveWriteSince);
            if (writeSince != 0 && _owner._time.GetElapsedTime(writeSince) >= Options.StallTimeout / 2)
            {
                return true;
            }

            for (var i = 0; i < _inFlight.Count; i++)
            {
                var f = _inFlight[i];
                if (!f.Buffering || f.Sized || i < _inFlight.Count - 1)
                {
                    return true;
                }
            }

            return false;
        }

        public void Dispose()
        {
            _abort.Dispose();
            _stopSending.Dispose();
            ReturnLiveScratch();
        }

        private bool Progress => Released > 0 || Skipped > 0;

        private SessionResult End(SessionResult result)
        {
            EndReason = result.Cause;
            return result;
        }

        private void BeginStop()
        {
            _stopping = true;
            _stopSending.Cancel();
            try
            {
                _abort.CancelAfter(Options.GracefulStopTimeout);
            }
            catch (ObjectDisposedException)
            {
                // The session already ended.
            }
        }

        private async Task<SessionResult> RefusedAsync(PutMediaConnection connection, HttpResponseHead head)
        {
            var status = head.Status;
            byte[] body;
            try
            {
                body = await connection.ReadBodyToEndAsync(64 * 1024, _abort.Token).ConfigureAwait(false);
            }
            catch (IOException)
            {
                body = [];
            }

            var (errorType, message) = KvsErrors.Read(status, head.Reason, head.Headers.GetValueOrDefault("x-amzn-ErrorType"), body);
            var text = $"{status} {errorType}: {message}";
            if (status >= 500 || status is 408 or 429 || KvsErrors.IsThrottling(errorType))
            {
                return End(new SessionResult(SessionEnd.Failed, false, status >= 500 ? "server_error" : "throttled", "PutMedia answered " + text));
            }

            EndReason = "refused: " + text;
            UploaderLog.Fatal(_owner._logger, Options.StreamName, status, errorType, message);
            throw new UploadFatalException(status, errorType,
                $"PutMedia to stream '{Options.StreamName}' at {_owner._putMediaUrl} was refused: {text}");
        }

        private static string StartTimestamp(long ms) =>
            string.Create(CultureInfo.InvariantCulture, $"{ms / 1000}.{ms % 1000:D3}");

        private static string Kind(Exception e, bool connecting) => e switch
        {
            _ when connecting => "connect",
            AckFormatException => "bad_ack",
            OperationCanceledException => "timeout",
            _ => "connection_lost",
        };

        private static string Describe(Exception e)
        {
            var text = e.Message;
            for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
            {
                text += " → " + inner.Message;
            }

            return text;
        }
    }
}
