using System.Globalization;
using System.Net;

namespace VideoStreams.Producer.Upload;

public sealed partial class PutMediaUploader
{
    private enum SessionEnd
    {
        /// <summary>Graceful stop: the body was ended and the acks awaited (or the grace period ran out).</summary>
        Stopped,

        /// <summary>The next fragment needs another stream header: a new session starts at once.</summary>
        HeaderChanged,

        /// <summary>Anything else: the server ended it, an error, a dropped connection, a stall.</summary>
        Failed,
    }

    private readonly record struct SessionResult(SessionEnd End, bool MadeProgress, string CauseKind, string Cause);

    /// <summary>A fragment written into the current session and not yet released.</summary>
    private sealed class InFlight(long sequence, long timecode, long endMs, int size)
    {
        public long Sequence { get; } = sequence;

        public long Timecode { get; } = timecode;

        public long EndMs { get; } = endMs;

        public int Size { get; } = size;

        public bool Received { get; set; }
    }

    /// <summary>
    /// One PutMedia request: the body writer (<see cref="FragmentBodyContent"/>) reads the spool and registers each
    /// fragment it writes as in flight; the response reader matches acks to them by timecode. The two run at once.
    /// </summary>
    private sealed partial class UploadSession : IDisposable
    {
        private readonly PutMediaUploader _owner;
        private readonly ProducerFragment _first;
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
        private volatile bool _stalled;
        private volatile bool _stopping;
        private string? _retryCause;
        private UploadFatalException? _fatal;

        public UploadSession(PutMediaUploader owner, long id, ProducerFragment first)
        {
            _owner = owner;
            Id = id;
            _first = first;
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
            using var request = new HttpRequestMessage(HttpMethod.Post, _owner._putMediaUrl)
            {
                Content = new FragmentBodyContent(this),
                Version = HttpVersion.Version11,
            };
            request.Headers.TransferEncodingChunked = true;
            request.Headers.Add("x-amzn-stream-name", Options.StreamName);
            request.Headers.Add("x-amzn-fragment-timecode-type", "ABSOLUTE");
            request.Headers.Add("x-amzn-producer-start-timestamp", StartTimestamp(_first.TimestampMs));
            request.Headers.Add("x-amzn-fragment-acknowledgment-required", "1");
            if (Options.Credentials is { } credentials)
            {
                SigV4Signer.SignStreaming(request, credentials, Options.Region, _owner._time.GetUtcNow());
            }

            HttpResponseMessage? response = null;
            try
            {
                response = await _owner._http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _abort.Token).ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return await RefusedAsync(response).ConfigureAwait(false);
                }

                var body = await response.Content.ReadAsStreamAsync(_abort.Token).ConfigureAwait(false);
                await using (body.ConfigureAwait(false))
                {
                    using var parser = new AckParser();
                    while (true)
                    {
                        var read = await body.ReadAsync(parser.GetWriteBuffer(), _abort.Token).ConfigureAwait(false);
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
                }

                return End(_stopping ? new SessionResult(SessionEnd.Stopped, Progress, "stopped", "stopped")
                    : _headerChanged ? new SessionResult(SessionEnd.HeaderChanged, Progress, "header_changed", "new stream header")
                    : new SessionResult(SessionEnd.Failed, Progress, "server_ended", "the server ended the session"));
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException or AckFormatException)
            {
                if (_fatal is not null)
                {
                    throw _fatal;
                }

                return End(_stalled ? new SessionResult(SessionEnd.Failed, Progress, "stall", $"stalled: no ack for {Options.StallTimeout}")
                    : _stopping ? new SessionResult(SessionEnd.Stopped, Progress, "stopped", "stopped; the grace period for acks ran out")
                    : new SessionResult(SessionEnd.Failed, Progress, Kind(e), Describe(e)));
            }
            finally
            {
                await _abort.CancelAsync().ConfigureAwait(false);
                response?.Dispose();
            }
        }

        /// <summary>Stall check, called by the monitor: true (once) when the session was just abandoned.</summary>
        public bool CheckStall(out TimeSpan quiet, out int inFlight)
        {
            lock (_lock)
            {
                inFlight = _inFlight.Count;
                quiet = _owner._time.GetElapsedTime(_progressTimestamp);
                if (_stalled || _abort.IsCancellationRequested || inFlight == 0 || quiet < Options.StallTimeout)
                {
                    return false;
                }

                _stalled = true;
            }

            _abort.Cancel();
            return true;
        }

        public void Dispose()
        {
            _abort.Dispose();
            _stopSending.Dispose();
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

        private async Task<SessionResult> RefusedAsync(HttpResponseMessage response)
        {
            var status = (int)response.StatusCode;
            var (errorType, message) = await KvsErrors.ReadAsync(response, _abort.Token).ConfigureAwait(false);
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

        private static string Kind(Exception e) => e switch
        {
            HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => "connect",
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
