using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization;
using VideoStreams.Agent.Configuration;
using VideoStreams.Agent.Observability;

namespace VideoStreams.Agent.Runtime;

/// <summary>
/// The start-up check of a device's stream: DescribeStream, and CreateStream when it is missing and the device may
/// create it. Unreachable servers and 5xx answers are retried until <c>server.startupTimeoutSeconds</c>; a 4xx is
/// final and names the setting most likely wrong. Returns the stream's retention (0 changes how the uploader
/// acknowledges).
/// </summary>
internal sealed class StreamCheck(DeviceSettings device, HttpMessageHandler handler, TimeProvider time, ILogger logger)
{
    private const string StreamNameField = "stream.name";

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + device.StartupTimeout;
        using var client = new HttpClient(handler, disposeHandler: false) { BaseAddress = device.ServerUrl, Timeout = Timeout.InfiniteTimeSpan };
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
            }
            catch (HttpRequestException e) when (e.StatusCode is null)
            {
                lastCause = Cause(e);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // An attempt cut short by the deadline says less than the failure before it.
                lastCause ??= "no answer (timed out)";
            }
            catch (RetryableAnswerException e)
            {
                lastCause = e.Message;
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
    private async Task<int?> TryOnceAsync(HttpClient client, CancellationToken cancellationToken)
    {
        using (var describe = await client.PostAsJsonAsync("describeStream", new DescribeStreamRequest(device.StreamName), StreamCheckJson.Default.DescribeStreamRequest, cancellationToken))
        {
            if (describe.IsSuccessStatusCode)
            {
                var info = (await describe.Content.ReadFromJsonAsync(StreamCheckJson.Default.DescribeStreamResponse, cancellationToken))?.StreamInfo
                    ?? throw AgentException.Server(device.File, device.ServerUrlField, $"{device.ServerUrl}describeStream answered without StreamInfo; is this a VideoStreams (KVS) endpoint?");
                return Active(info);
            }

            var error = await ErrorAsync(describe, cancellationToken);
            if (describe.StatusCode != HttpStatusCode.NotFound || error.Type != "ResourceNotFoundException")
            {
                throw Refused("DescribeStream", describe.StatusCode, error);
            }
        }

        if (!device.CreateStream)
        {
            throw AgentException.Server(device.File, StreamNameField,
                $"stream \"{device.StreamName}\" does not exist on {device.ServerUrl} and stream.create is false");
        }

        var request = new CreateStreamRequest(device.StreamName, device.Name, device.MediaType, device.RetentionHours);
        using (var create = await client.PostAsJsonAsync("createStream", request, StreamCheckJson.Default.CreateStreamRequest, cancellationToken))
        {
            if (create.IsSuccessStatusCode)
            {
                AgentLog.StreamCreated(logger, device.Name, device.StreamName, device.ServerUrl, device.RetentionHours);
                return null;
            }

            var error = await ErrorAsync(create, cancellationToken);
            // Another agent (or an operator) created it meanwhile: describe it on the next round.
            if (error.Type == "ResourceInUseException")
            {
                return null;
            }

            throw Refused("CreateStream", create.StatusCode, error);
        }
    }

    private int? Active(StreamInfo info)
    {
        switch (info.Status)
        {
            case "ACTIVE" or "UPDATING" or null:
                AgentLog.StreamFound(logger, device.Name, device.StreamName, device.ServerUrl, info.DataRetentionInHours);
                return info.DataRetentionInHours;
            case "CREATING":
                return null;
            default:
                throw AgentException.Server(device.File, StreamNameField, $"stream \"{device.StreamName}\" on {device.ServerUrl} is {info.Status}");
        }
    }

    private Exception Refused(string operation, HttpStatusCode status, KvsError error)
    {
        var code = (int)status;
        if (code >= 500 || status == HttpStatusCode.TooManyRequests || error.Type is "ClientLimitExceededException" or "ThrottlingException")
        {
            return new RetryableAnswerException($"{operation} answered {code} {error.Type}: {error.Message}");
        }

        var field = (status, error.Type) switch
        {
            (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, _) => "server.credentials",
            (_, "NotAuthorizedException" or "AccessDeniedException" or "InvalidClientTokenId" or "MissingAuthenticationToken" or "IncompleteSignature" or "RequestExpired") => "server.credentials",
            (_, "") => device.ServerUrlField,
            _ when error.Message.Contains("retention", StringComparison.OrdinalIgnoreCase) => "stream.retentionHours",
            _ when error.Message.Contains("MediaType", StringComparison.OrdinalIgnoreCase) => "stream.mediaType",
            _ when error.Message.Contains("DeviceName", StringComparison.OrdinalIgnoreCase) => "name",
            _ => StreamNameField,
        };
        var what = error.Type.Length == 0
            ? $"{device.ServerUrl}{operation[0..1].ToLowerInvariant()}{operation[1..]} answered {code} {status} without a KVS error; is this a VideoStreams (KVS) endpoint?"
            : $"{operation} of stream \"{device.StreamName}\" refused by {device.ServerUrl}: {code} {error.Type}: {error.Message}";
        return AgentException.Server(device.File, field, what);
    }

    private static async Task<KvsError> ErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var type = response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.First() : "";
        // "ResourceNotFoundException:http://internal…" and "ns#Name" both carry the name (KVS-API.md §1.4).
        type = type.Split(':', ',')[0];
        type = type[(type.LastIndexOf('#') + 1)..];
        var message = "";
        try
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (body.Length > 0 && body.TrimStart().StartsWith('{'))
            {
                var parsed = JsonSerializer.Deserialize(body, StreamCheckJson.Default.ErrorBody);
                message = parsed?.Message ?? parsed?.LowerMessage ?? "";
            }
        }
        catch (JsonException)
        {
            // Not a KVS error body: the status says enough.
        }

        return new KvsError(type, message.ReplaceLineEndings(" "));
    }

    private static string Cause(HttpRequestException e)
    {
        if (e.InnerException is SocketException socket)
        {
            return socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.HostNotFound or SocketError.NoData => "host not found",
                SocketError.TimedOut => "connect timed out",
                SocketError.NetworkUnreachable or SocketError.HostUnreachable => "network unreachable",
                _ => socket.Message,
            };
        }

        return e.InnerException?.Message ?? e.Message;
    }

    private readonly record struct KvsError(string Type, string Message);

    private sealed class RetryableAnswerException(string message) : Exception(message);
}

internal sealed record DescribeStreamRequest(string StreamName);

internal sealed record CreateStreamRequest(string StreamName, string DeviceName, string MediaType, int DataRetentionInHours);

internal sealed record DescribeStreamResponse(StreamInfo? StreamInfo);

internal sealed record StreamInfo(string? StreamName, string? Status, int DataRetentionInHours);

internal sealed class ErrorBody
{
    public string? Message { get; set; }

    [JsonPropertyName("message")]
    public string? LowerMessage { get; set; }
}

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(DescribeStreamRequest))]
[JsonSerializable(typeof(CreateStreamRequest))]
[JsonSerializable(typeof(DescribeStreamResponse))]
[JsonSerializable(typeof(ErrorBody))]
internal sealed partial class StreamCheckJson : JsonSerializerContext;
