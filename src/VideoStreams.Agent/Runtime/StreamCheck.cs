using System.Net.Sockets;
using VideoStreams.Agent.Configuration;
using VideoStreams.Agent.Observability;
using VideoStreams.Producer.Upload;

namespace VideoStreams.Agent.Runtime;

/// <summary>
/// The start-up check of a device's stream: DescribeStream, and CreateStream when it is missing and the device may
/// create it (through the library's <see cref="KvsStreamClient"/>, SigV4-signed when the device has credentials).
/// Unreachable servers, timeouts, throttling and 5xx answers are retried until <c>server.startupTimeoutSeconds</c>; a
/// 4xx is final and names the setting most likely wrong. Returns the stream's retention (0 changes how the uploader
/// acknowledges).
/// </summary>
internal sealed class StreamCheck(DeviceSettings device, HttpMessageHandler handler, TimeProvider time, ILogger logger)
{
    private const string StreamNameField = "stream.name";

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + device.StartupTimeout;
        using var client = new KvsStreamClient(device.ServerUrl, device.Credentials, device.Region, handler, time, Timeout.InfiniteTimeSpan);
        var delay = TimeSpan.FromMilliseconds(250);
        string? lastCause = null;
        var warned = false;
        while (true)
        {
            var left = deadline - time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                throw AgentException.Server(device.File, device.ServerUrlField,
                    $"cannot reach {device.ServerUrl} within {device.StartupTimeout.TotalSeconds:0.#} s: {lastCause ?? "no answer"}");
            }

            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(left < TimeSpan.FromSeconds(10) ? left : TimeSpan.FromSeconds(10));
            try
            {
                if (await TryOnceAsync(client, attempt.Token) is { } retention)
                {
                    return retention;
                }

                lastCause = "the stream is not ACTIVE yet";
                warned = true;
            }
            catch (KvsClientException e) when (Retryable(e))
            {
                lastCause = Cause(e);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // An attempt cut short by the deadline says less than the failure before it.
                lastCause ??= "no answer (timed out)";
            }
            catch (KvsClientException e)
            {
                throw Refused(e);
            }

            if (!warned)
            {
                AgentLog.ServerNotReachableYet(logger, device.Name, device.ServerUrl, lastCause);
                warned = true;
            }

            var wait = deadline - time.GetUtcNow();
            await Task.Delay(wait < delay ? (wait > TimeSpan.Zero ? wait : TimeSpan.Zero) : delay, time, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
        }
    }

    /// <summary>The retention when the stream is ACTIVE; null when it is still being created.</summary>
    private async Task<int?> TryOnceAsync(KvsStreamClient client, CancellationToken cancellationToken)
    {
        if (await client.DescribeStreamAsync(device.StreamName, cancellationToken) is { } stream)
        {
            switch (stream.Status)
            {
                case "ACTIVE" or "UPDATING" or "":
                    AgentLog.StreamFound(logger, device.Name, device.StreamName, device.ServerUrl, stream.DataRetentionInHours);
                    return stream.DataRetentionInHours;
                case "CREATING":
                    return null;
                default:
                    throw AgentException.Server(device.File, StreamNameField, $"stream \"{device.StreamName}\" on {device.ServerUrl} is {stream.Status}");
            }
        }

        if (!device.CreateStream)
        {
            throw AgentException.Server(device.File, StreamNameField,
                $"stream \"{device.StreamName}\" does not exist on {device.ServerUrl} and stream.create is false");
        }

        try
        {
            await client.CreateStreamAsync(device.StreamName, device.RetentionHours, device.MediaType, device.Name, cancellationToken);
            AgentLog.StreamCreated(logger, device.Name, device.StreamName, device.ServerUrl, device.RetentionHours);
        }
        catch (KvsClientException e) when (e.ErrorType == "ResourceInUseException")
        {
            // Another agent (or an operator) created it meanwhile: describe it on the next round.
        }

        return null;
    }

    private static bool Retryable(KvsClientException e) =>
        e.StatusCode == 0 || e.StatusCode >= 500 || e.StatusCode == 429
        || e.ErrorType is "ClientLimitExceededException" or "ThrottlingException" or "LimitExceededException";

    private AgentException Refused(KvsClientException e)
    {
        var field = (e.StatusCode, e.ErrorType) switch
        {
            (401 or 403, _) => "server.credentials",
            (_, "NotAuthorizedException" or "AccessDeniedException" or "InvalidClientTokenId" or "MissingAuthenticationToken" or "IncompleteSignature"
                or "SignatureDoesNotMatch" or "UnrecognizedClientException" or "RequestExpired") => "server.credentials",
            (_, "InvalidResponse") => device.ServerUrlField,
            _ when e.ErrorType.StartsWith("Http", StringComparison.Ordinal) => device.ServerUrlField,
            _ when e.Message.Contains("retention", StringComparison.OrdinalIgnoreCase) => "stream.retentionHours",
            _ when e.Message.Contains("MediaType", StringComparison.OrdinalIgnoreCase) => "stream.mediaType",
            _ when e.Message.Contains("DeviceName", StringComparison.OrdinalIgnoreCase) => "name",
            _ => StreamNameField,
        };
        var hint = field == device.ServerUrlField ? " (is this a VideoStreams or KVS endpoint?)" : "";
        return AgentException.Server(device.File, field, $"{device.ServerUrl} refused stream \"{device.StreamName}\": {e.Message}{hint}".ReplaceLineEndings(" "));
    }

    private static string Cause(KvsClientException e)
    {
        if (e.InnerException is HttpRequestException { InnerException: SocketException socket })
        {
            return socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host not found",
                SocketError.TimedOut => "connect timed out",
                SocketError.NetworkUnreachable or SocketError.HostUnreachable => "network unreachable",
                _ => socket.Message,
            };
        }

        return e.InnerException is HttpRequestException http ? http.InnerException?.Message ?? http.Message : e.Message;
    }
}
