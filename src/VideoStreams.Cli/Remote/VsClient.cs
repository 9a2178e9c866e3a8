using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;

namespace VideoStreams.Cli.Remote;

/// <summary>
/// HTTP to the server: KVS JSON operations (POST) and our own endpoints (GET). Every failure becomes a
/// <see cref="CliException"/> with the exit code scripts rely on: 3 not found, 4 auth, 5 server error or unreachable,
/// 2 a request the server calls invalid, 1 any other refusal (stream in use, version mismatch).
/// </summary>
internal sealed class VsClient : IDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(100);
    private readonly HttpClient _http;

    public VsClient(Connection connection)
        : this(connection, TimeProvider.System)
    {
    }

    /// <param name="connection">The server, region and credentials.</param>
    /// <param name="time">The clock signatures are dated by.</param>
    public VsClient(Connection connection, TimeProvider time)
    {
        Connection = connection;
        HttpMessageHandler handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(15), AutomaticDecompression = DecompressionMethods.None };
        if (connection.Credentials is { } credentials)
        {
            handler = new SigningHandler(credentials, connection.Region, time) { InnerHandler = handler };
        }

        // No overall timeout: clips and GetMedia stream for as long as they need; short calls get CallTimeout each.
        _http = new HttpClient(handler)
        {
            BaseAddress = connection.Server,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("vs", "1.0"));
    }

    public Connection Connection { get; }

    /// <summary>A KVS operation whose answer is a JSON object: POST <paramref name="operation"/> with the body <paramref name="write"/> writes.</summary>
    public async Task<JsonDocument> KvsAsync(string operation, Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CallTimeout);
        using var response = await SendAsync(KvsRequest(operation, write), timeout.Token, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        return await JsonDocument.ParseAsync(body, cancellationToken: timeout.Token);
    }

    /// <summary>A KVS operation with a streamed answer (GetMedia): the caller reads and disposes the response.</summary>
    public Task<HttpResponseMessage> KvsStreamAsync(string operation, Action<Utf8JsonWriter> write, CancellationToken cancellationToken) =>
        SendAsync(KvsRequest(operation, write), cancellationToken, cancellationToken);

    /// <summary>GET one of our JSON endpoints (extent, gaps).</summary>
    public async Task<JsonDocument> GetJsonAsync(string relativeUrl, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CallTimeout);
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, relativeUrl), timeout.Token, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        return await JsonDocument.ParseAsync(body, cancellationToken: timeout.Token);
    }

    /// <summary>Sends any request (headers read, body not yet); a non-success answer throws as described on the class.</summary>
    /// <param name="request">Disposed by this call's response.</param>
    /// <param name="timeout">Ends waiting for the headers (the user's token, or it plus a call timeout).</param>
    /// <param name="user">The user's token (Ctrl-C): when it fired, cancellation is not reported as a slow server.</param>
    /// <param name="accept">Statuses the caller handles itself besides 2xx (416 for a clip range).</param>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken timeout, CancellationToken user, params HttpStatusCode[] accept)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(e);
        }
        catch (OperationCanceledException) when (!user.IsCancellationRequested)
        {
            throw new CliException(CliErrors.Server, $"{Connection.Server} did not answer {request.RequestUri} within {CallTimeout.TotalSeconds:0} s");
        }

        if (response.IsSuccessStatusCode || accept.Contains(response.StatusCode))
        {
            return response;
        }

        using (response)
        {
            var error = await ErrorAsync(response, user);
            throw error.ExitCode == CliErrors.Auth && Connection.Credentials is null
                ? new CliException(error.ExitCode, error.Message + " (no credentials found, so the request was not signed; see vs config)")
                : error;
        }
    }

    /// <summary>The server could not be reached, or the connection broke: exit 5.</summary>
    public CliException Unreachable(Exception e)
    {
        var reason = e.InnerException is SocketException s ? s.Message : e.InnerException?.Message ?? e.Message;
        return new CliException(CliErrors.Server, $"cannot reach the server at {Connection.Server}: {reason}", e);
    }

    private static HttpRequestMessage KvsRequest(string operation, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        var content = new ByteArrayContent(buffer.WrittenSpan.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return new HttpRequestMessage(HttpMethod.Post, operation) { Content = content };
    }

    /// <summary>KVS's error shape (x-amzn-ErrorType + {"Message"}) or ProblemDetails (title, detail, parameter), in one line.</summary>
    private static async Task<CliException> ErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var errorType = response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.First().Split(':', ',')[0] : null;
        string? message = null;
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (text.StartsWith('{'))
            {
                using var body = JsonDocument.Parse(text);
                var root = body.RootElement;
                message = Text(root, "Message") ?? Text(root, "message") ?? Text(root, "detail") ?? Text(root, "title");
                if (Text(root, "parameter") is { } parameter && message is not null && !message.Contains(parameter, StringComparison.Ordinal))
                {
                    message = $"{parameter}: {message}";
                }
            }
            else if (text.Length > 0 && text.Length < 300)
            {
                message = text.Trim();
            }
        }
        catch (JsonException)
        {
            // A body that is not JSON (a proxy's page): the status says enough.
        }

        var code = status switch
        {
            404 => CliErrors.NotFound,
            401 or 403 => CliErrors.Auth,
            >= 500 => CliErrors.Server,
            400 when errorType is null or "InvalidArgumentException" => CliErrors.BadInput,
            _ => CliErrors.Failure,
        };
        var what = errorType ?? $"HTTP {status} {response.ReasonPhrase}";
        return new CliException(code, message is null ? what : $"{what}: {message}");
    }

    private static string? Text(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public void Dispose() => _http.Dispose();
}
