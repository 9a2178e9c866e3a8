using System.Text.Json;

namespace VideoStreams.Producer.Upload;

/// <summary>Reads a KVS error answer the way the AWS SDKs do (KVS-API §1.4).</summary>
internal static class KvsErrors
{
    private const int MaxErrorBodyBytes = 64 * 1024;

    /// <summary>
    /// The error name (<c>x-amzn-ErrorType</c>, else the body's <c>code</c> or <c>__type</c>; the text before the
    /// first <c>:</c> or <c>,</c> and after <c>#</c>) and the message (body <c>message</c>, else <c>Message</c>).
    /// </summary>
    public static async Task<(string ErrorType, string Message)> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string? type = response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.FirstOrDefault() : null;
        string? message = null;
        try
        {
            var bytes = await ReadLimitedAsync(response.Content, cancellationToken).ConfigureAwait(false);
            if (bytes.Length > 0)
            {
                var body = JsonSerializer.Deserialize(bytes, KvsJsonContext.Default.KvsErrorBody);
                message = body?.LowerMessage ?? body?.Message;
                type ??= body?.Code ?? body?.Type;
            }
        }
        catch (JsonException)
        {
            // Not a KVS error body (a proxy's HTML page, say): the status says enough.
        }
        catch (IOException)
        {
            // The connection dropped while reading the error: keep what the headers said.
        }

        return (Normalize(type) ?? $"Http{(int)response.StatusCode}", message ?? response.ReasonPhrase ?? "(no message)");
    }

    /// <summary>The same, from an answer read off a raw connection.</summary>
    public static (string ErrorType, string Message) Read(int status, string reason, string? errorTypeHeader, ReadOnlySpan<byte> body)
    {
        var type = errorTypeHeader;
        string? message = null;
        try
        {
            if (body.Length > 0)
            {
                var parsed = JsonSerializer.Deserialize(body, KvsJsonContext.Default.KvsErrorBody);
                message = parsed?.LowerMessage ?? parsed?.Message;
                type ??= parsed?.Code ?? parsed?.Type;
            }
        }
        catch (JsonException)
        {
            // Not a KVS error body: the status says enough.
        }

        return (Normalize(type) ?? $"Http{status}", message ?? (reason.Length > 0 ? reason : "(no message)"));
    }

    /// <summary>Errors that mean "slow down", not "never".</summary>
    public static bool IsThrottling(string errorType) =>
        errorType is "ClientLimitExceededException" or "ConnectionLimitExceededException" or "ThrottlingException"
            or "LimitExceededException" or "ServiceUnavailable" or "InternalFailure";

    private static string? Normalize(string? type)
    {
        if (string.IsNullOrWhiteSpace(type))
        {
            return null;
        }

        var cut = type.IndexOfAny([':', ',']);
        if (cut >= 0)
        {
            type = type[..cut];
        }

        var hash = type.LastIndexOf('#');
        return (hash >= 0 ? type[(hash + 1)..] : type).Trim();
    }

    private static async Task<byte[]> ReadLimitedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[4096];
            int read;
            while (buffer.Length < MaxErrorBodyBytes && (read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }
}
