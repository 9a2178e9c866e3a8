using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using VideoStreams.Kvs;

namespace VideoStreams.Producer.Upload;

/// <summary>A stream as DescribeStream shows it.</summary>
/// <param name="StreamName">The name.</param>
/// <param name="StreamArn">The ARN.</param>
/// <param name="Status"><c>CREATING</c>, <c>ACTIVE</c>, <c>UPDATING</c> or <c>DELETING</c>.</param>
/// <param name="DataRetentionInHours">0 = nothing is persisted (release fragments on RECEIVED).</param>
/// <param name="MediaType">The media type, if set.</param>
/// <param name="DeviceName">The device name, if set.</param>
/// <param name="Version">The stream's version.</param>
/// <param name="CreationTime">When it was created, if given.</param>
public sealed record KvsStreamDescription(
    string StreamName,
    string StreamArn,
    string Status,
    int DataRetentionInHours,
    string? MediaType,
    string? DeviceName,
    string? Version,
    DateTimeOffset? CreationTime);

/// <summary>A KVS control-plane call was answered with an error.</summary>
public sealed class KvsClientException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KvsClientException(int statusCode, string errorType, string message)
        : base(message)
    {
        StatusCode = statusCode;
        ErrorType = errorType;
    }

    /// <summary>Creates the exception with its cause.</summary>
    public KvsClientException(int statusCode, string errorType, string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        ErrorType = errorType;
    }

    /// <summary>Creates the exception.</summary>
    public KvsClientException()
    {
        ErrorType = "";
    }

    /// <summary>Creates the exception.</summary>
    public KvsClientException(string message)
        : base(message)
    {
        ErrorType = "";
    }

    /// <summary>Creates the exception.</summary>
    public KvsClientException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorType = "";
    }

    /// <summary>The HTTP status (0 when the server could not be reached or answered nonsense).</summary>
    public int StatusCode { get; }

    /// <summary>The KVS error name, e.g. <c>ResourceInUseException</c>.</summary>
    public string ErrorType { get; }
}

/// <summary>
/// The few KVS control-plane calls a producer needs (DescribeStream, CreateStream, GetDataEndpoint), as the AWS SDKs
/// make them: <c>POST /operation</c> with JSON, SigV4-signed when credentials are given.
/// </summary>
public sealed class KvsStreamClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly KvsCredentials? _credentials;
    private readonly string _region;
    private readonly TimeProvider _time;

    /// <summary>Creates a client for the control plane at <paramref name="endpoint"/>.</summary>
    /// <param name="endpoint">The server's base URL.</param>
    /// <param name="credentials">Credentials to sign with, or null.</param>
    /// <param name="region">The region that goes into signatures.</param>
    /// <param name="handler">The HTTP handler (default: a new one); not disposed.</param>
    /// <param name="timeProvider">The clock for signatures.</param>
    /// <param name="timeout">How long one call may take (default 30 s).</param>
    public KvsStreamClient(Uri endpoint, KvsCredentials? credentials = null, string region = "us-east-1",
        HttpMessageHandler? handler = null, TimeProvider? timeProvider = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _endpoint = endpoint.AbsolutePath.EndsWith('/') ? endpoint : new Uri(endpoint.GetLeftPart(UriPartial.Path) + "/");
        _credentials = credentials;
        _region = region;
        _time = timeProvider ?? TimeProvider.System;
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = timeout ?? TimeSpan.FromSeconds(30);
    }

    /// <summary>Describes a stream; null when it does not exist (ResourceNotFoundException).</summary>
    /// <exception cref="KvsClientException">Any other error, or the server could not be reached.</exception>
    public async Task<KvsStreamDescription?> DescribeStreamAsync(string streamName, CancellationToken cancellationToken = default)
    {
        try
        {
            var answer = await CallAsync("describeStream", new DescribeStreamRequest(streamName), KvsJsonContext.Default.DescribeStreamRequest,
                KvsJsonContext.Default.DescribeStreamResponse, cancellationToken).ConfigureAwait(false);
            var info = answer.StreamInfo ?? throw new KvsClientException(200, "InvalidResponse", "DescribeStream answered without StreamInfo.");
            return new KvsStreamDescription(
                info.StreamName ?? streamName,
                info.StreamArn ?? "",
                info.Status ?? "",
                info.DataRetentionInHours ?? 0,
                info.MediaType,
                info.DeviceName,
                info.Version,
                info.CreationTime is { } seconds ? DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000)) : null);
        }
        catch (KvsClientException e) when (e.ErrorType == "ResourceNotFoundException")
        {
            return null;
        }
    }

    /// <summary>Creates a stream and returns its ARN.</summary>
    /// <exception cref="KvsClientException">E.g. <c>ResourceInUseException</c> when the name is taken.</exception>
    public async Task<string> CreateStreamAsync(string streamName, int retentionHours, string? mediaType = null, string? deviceName = null,
        CancellationToken cancellationToken = default)
    {
        var answer = await CallAsync("createStream", new CreateStreamRequest(streamName, deviceName, mediaType, retentionHours),
            KvsJsonContext.Default.CreateStreamRequest, KvsJsonContext.Default.CreateStreamResponse, cancellationToken).ConfigureAwait(false);
        return answer.StreamArn ?? throw new KvsClientException(200, "InvalidResponse", "CreateStream answered without StreamARN.");
    }

    /// <summary>The endpoint for one API of a stream (e.g. <c>PUT_MEDIA</c>).</summary>
    /// <exception cref="KvsClientException">E.g. <c>ResourceNotFoundException</c>.</exception>
    public async Task<Uri> GetDataEndpointAsync(string streamName, string apiName, CancellationToken cancellationToken = default)
    {
        var answer = await CallAsync("getDataEndpoint", new GetDataEndpointRequest(streamName, apiName),
            KvsJsonContext.Default.GetDataEndpointRequest, KvsJsonContext.Default.GetDataEndpointResponse, cancellationToken).ConfigureAwait(false);
        return Uri.TryCreate(answer.DataEndpoint, UriKind.Absolute, out var uri)
            ? uri
            : throw new KvsClientException(200, "InvalidResponse", $"GetDataEndpoint answered '{answer.DataEndpoint}', which is not a URL.");
    }

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();

    private async Task<TResponse> CallAsync<TRequest, TResponse>(string operation, TRequest body, JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        var url = new Uri(_endpoint, operation);
        var json = JsonSerializer.SerializeToUtf8Bytes(body, requestType);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(json) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (_credentials is { } credentials)
        {
            SigV4Signer.Sign(request, credentials, _region, _time.GetUtcNow(), SigV4Signer.HexSha256(json));
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new KvsClientException(0, "ConnectionError", $"{operation} at {url} failed: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new KvsClientException(0, "Timeout", $"{operation} at {url} timed out after {_http.Timeout}.", e);
        }

        using (response)
        {
            if (response.StatusCode != HttpStatusCode.OK)
            {
                var (type, message) = await KvsErrors.ReadAsync(response, cancellationToken).ConfigureAwait(false);
                throw new KvsClientException((int)response.StatusCode, type, $"{operation} at {url}: {(int)response.StatusCode} {type}: {message}");
            }

            try
            {
                var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                return JsonSerializer.Deserialize(bytes, responseType)
                    ?? throw new KvsClientException(200, "InvalidResponse", $"{operation} at {url} answered null.");
            }
            catch (JsonException e)
            {
                throw new KvsClientException(200, "InvalidResponse", $"{operation} at {url} answered something that is not its JSON: {e.Message}", e);
            }
        }
    }
}
