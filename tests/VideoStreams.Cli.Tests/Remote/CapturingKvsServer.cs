using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace VideoStreams.Cli.Tests.Remote;

/// <summary>One request as it came over the wire: method, request target, headers and body, unchanged.</summary>
internal sealed record CapturedRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Path => Target.Split('?')[0];

    public string Query => Target.Contains('?', StringComparison.Ordinal) ? Target[(Target.IndexOf('?', StringComparison.Ordinal) + 1)..] : "";

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public override string ToString() =>
        $"{Method} {Target}\n{string.Join("\n", Headers.Select(h => $"{h.Key}: {h.Value}"))}\n\n{Encoding.UTF8.GetString(Body)}";
}

/// <summary>
/// A stand-in KVS on a real Kestrel at 127.0.0.1: records every request vs sends and answers with canned KVS-shaped
/// JSON (describeStream, listTagsForStream, listStreams) and a clip (GET /v1/streams/NAME/clip, with Range/If-Range).
/// Given credentials, it checks each request's SigV4 signature as AWS would (<see cref="WireSignature"/>): unsigned is
/// 401 NotAuthorizedException, a wrong signature 403 InvalidSignatureException.
/// </summary>
internal sealed class CapturingKvsServer : IAsyncDisposable
{
    public const string ClipETag = "\"clip-1\"";

    private readonly WebApplication _app;
    private readonly (string AccessKeyId, string Secret, string Region)? _verify;
    private readonly ConcurrentQueue<CapturedRequest> _requests = new();

    private CapturingKvsServer(WebApplication app, (string, string, string)? verify)
    {
        _app = app;
        _verify = verify;
    }

    /// <summary>e.g. http://127.0.0.1:41234/, for vs --server.</summary>
    public string Url { get; private set; } = "";

    /// <summary>The bytes of every clip this server serves.</summary>
    public static byte[] Clip { get; } = [.. Enumerable.Range(0, 50_000).Select(i => (byte)(i * 7))];

    public IReadOnlyList<CapturedRequest> Requests => [.. _requests];

    /// <summary>Starts a server; with <paramref name="verify"/>, one that refuses requests not signed with those keys for that region.</summary>
    public static async Task<CapturingKvsServer> StartAsync((string AccessKeyId, string Secret, string Region)? verify = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new CapturingKvsServer(app, verify);
        app.Run(server.AnswerAsync);
        await app.StartAsync();
        server.Url = app.Urls.Single() + "/";
        return server;
    }

    private async Task AnswerAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var request = new CapturedRequest(context.Request.Method, context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget, headers, body.ToArray());
        _requests.Enqueue(request);

        if (_verify is var (keyId, secret, region))
        {
            if (request.Header("Authorization") is null)
            {
                await KvsErrorAsync(context, 401, "NotAuthorizedException", "The request is not signed.");
                return;
            }

            if (WireSignature.Problem(request, keyId, secret, region) is { } problem)
            {
                await KvsErrorAsync(context, 403, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided: " + problem.ReplaceLineEndings(" "));
                return;
            }
        }

        switch (request.Method, request.Path)
        {
            case ("POST", "/describeStream"):
                await JsonAsync(context, w =>
                {
                    w.WritePropertyName("StreamInfo");
                    WriteStreamInfo(w, JsonDocument.Parse(request.Body).RootElement.GetProperty("StreamName").GetString()!);
                });
                break;
            case ("POST", "/listTagsForStream"):
                await JsonAsync(context, w =>
                {
                    w.WriteStartObject("Tags");
                    w.WriteString("site", "lab");
                    w.WriteEndObject();
                });
                break;
            case ("POST", "/listStreams"):
                await JsonAsync(context, w =>
                {
                    w.WriteStartArray("StreamInfoList");
                    WriteStreamInfo(w, "cam");
                    w.WriteEndArray();
                });
                break;
            case ("GET", var path) when path.StartsWith("/v1/streams/", StringComparison.Ordinal) && path.EndsWith("/clip", StringComparison.Ordinal):
                await ClipAsync(context, request);
                break;
            default:
                await KvsErrorAsync(context, 404, "ResourceNotFoundException", "The requested stream is not found or not active.");
                break;
        }
    }

    private static async Task ClipAsync(HttpContext context, CapturedRequest request)
    {
        var response = context.Response;
        response.Headers.ETag = ClipETag;
        response.ContentType = "video/mp4";
        long from = 0;
        if (request.Header("Range") is { } range && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-')
            && request.Header("If-Range") == ClipETag)
        {
            from = long.Parse(range["bytes=".Length..^1], System.Globalization.CultureInfo.InvariantCulture);
            response.StatusCode = 206;
            response.Headers.ContentRange = $"bytes {from}-{Clip.Length - 1}/{Clip.Length}";
        }

        response.ContentLength = Clip.Length - from;
        await response.Body.WriteAsync(Clip.AsMemory((int)from));
    }

    private static void WriteStreamInfo(Utf8JsonWriter w, string name)
    {
        w.WriteStartObject();
        w.WriteString("StreamName", name);
        w.WriteString("StreamARN", $"arn:aws:kinesisvideo:us-east-1:123456789012:stream/{name}/1764160000000");
        w.WriteString("Status", "ACTIVE");
        w.WriteString("Version", "abc123");
        w.WriteNumber("CreationTime", 1764160000);
        w.WriteNumber("DataRetentionInHours", 24);
        w.WriteString("MediaType", "video/h264");
        w.WriteEndObject();
    }

    private static async Task JsonAsync(HttpContext context, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            write(w);
            w.WriteEndObject();
        }

        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(buffer.ToArray());
    }

    private static async Task KvsErrorAsync(HttpContext context, int status, string errorType, string message)
    {
        context.Response.StatusCode = status;
        context.Response.Headers["x-amzn-ErrorType"] = errorType;
        await JsonAsync(context, w => w.WriteString("Message", message));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
