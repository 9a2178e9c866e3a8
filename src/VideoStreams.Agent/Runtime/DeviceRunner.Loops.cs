using VideoStreams.Agent.Configuration;
using VideoStreams.Agent.Observability;
using VideoStreams.Producer.Sources;
using VideoStreams.Producer.Upload;

namespace VideoStreams.Agent.Runtime;

internal sealed partial class DeviceRunner
{
    /// <summary>
    /// Runs the source, starting it again with backoff when it fails after it had delivered. Returns a problem only
    /// when the source fails before its first access unit since the agent started (exit 2, naming source.*); null when
    /// stopped or when the source ended (a file played once).
    /// </summary>
    private async Task<AgentException?> CaptureAsync(CancellationToken stop)
    {
        var backoff = _hooks.RestartBackoff;
        var first = true;
        while (!stop.IsCancellationRequested)
        {
            IVideoSource? source = null;
            try
            {
                source = _hooks.CreateSource(_device, _logs);
                _sourceDescription = source.Description;
                if (first)
                {
                    AgentLog.Streaming(_logger, _device.Name, _sourceDescription, _device.StreamName, _device.ServerUrl);
                    first = false;
                }
                else
                {
                    AgentLog.SourceStarted(_logger, _device.Name, _sourceDescription);
                }

                await source.RunAsync(_sink!, stop);
                return null;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return null;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                var cause = e is VideoSourceException ? e.Message : $"{e.GetType().Name}: {e.Message}";
                if (!_sink!.HasStarted)
                {
                    return AgentException.Config(_device.File, _device.SourceField, $"the source cannot be opened: {cause}");
                }

                // The fragment in progress ends with the source that fed it; the next source starts a new one.
                _sink.Flush();
                AgentLog.SourceFailed(_logger, _device.Name, cause, backoff);
                _metrics.SourceRestart(_deviceTag);
            }
            finally
            {
                if (source is not null)
                {
                    await source.DisposeAsync();
                }
            }

            try
            {
                await Task.Delay(backoff, _hooks.Time, stop);
            }
            catch (OperationCanceledException)
            {
                return null;
            }

            backoff = Next(backoff);
        }

        return null;
    }

    /// <summary>Runs the uploader until stopped; a final refusal by the server is returned (exit 3), anything else retried.</summary>
    private async Task<AgentException?> UploadAsync(bool acknowledgeOnReceived, CancellationToken stop)
    {
        var options = new UploaderOptions
        {
            Endpoint = _device.ServerUrl,
            StreamName = _device.StreamName,
            AcknowledgeOnReceived = acknowledgeOnReceived,
            StallTimeout = _device.StallTimeout,
            Credentials = _device.Credentials,
            Region = _device.Region,
            GracefulStopTimeout = _device.StopTimeout,
        };
        var backoff = _hooks.RestartBackoff;
        while (!stop.IsCancellationRequested)
        {
            IFragmentUploader? uploader = null;
            try
            {
                uploader = _hooks.CreateUploader(options, _spool!, _live, _logs, _meters);
                await uploader.RunAsync(stop);
                return null;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return null;
            }
            catch (UploadFatalException e)
            {
                var status = e.StatusCode == 0 ? "" : $"{e.StatusCode} ";
                AgentLog.UploadRefused(_logger, _device.Name, $"{status}{e.ErrorType}: {e.Message}");
                var field = e.StatusCode is 401 or 403 || e.ErrorType is "NotAuthorizedException" or "AccessDeniedException" ? "server.credentials"
                    : e.ErrorType == "ResourceNotFoundException" ? "stream.name"
                    : _device.ServerUrlField;
                return AgentException.Server(_device.File, field, $"{_device.ServerUrl} refused the upload to stream \"{_device.StreamName}\": {status}{e.ErrorType}: {e.Message}");
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                AgentLog.UploaderFailed(_logger, _device.Name, $"{e.GetType().Name}: {e.Message}", backoff);
                _metrics.UploaderRestart(_deviceTag);
            }
            finally
            {
                if (uploader is not null)
                {
                    await uploader.DisposeAsync();
                }
            }

            try
            {
                await Task.Delay(backoff, _hooks.Time, stop);
            }
            catch (OperationCanceledException)
            {
                return null;
            }

            backoff = Next(backoff);
        }

        return null;
    }

    private static TimeSpan Next(TimeSpan backoff) => backoff * 2 < MaxBackoff ? backoff * 2 : MaxBackoff;
}
