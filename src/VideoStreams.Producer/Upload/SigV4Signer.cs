using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace VideoStreams.Producer.Upload;

/// <summary>
/// AWS Signature Version 4 (KVS-API §1.3): service <c>kinesisvideo</c>, scope <c>date/region/kinesisvideo/aws4_request</c>.
/// Signs the host, the <c>x-amz-*</c>/<c>x-amzn-*</c> headers and Content-Type. A streamed PutMedia body is signed as
/// <c>UNSIGNED-PAYLOAD</c> (sent as <c>x-amz-content-sha256</c>), since its bytes are not known in advance.
/// </summary>
internal static class SigV4Signer
{
    public const string Service = "kinesisvideo";
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";

    /// <summary>
    /// Signs a request given as a header list (the PutMedia connection writes its own head): adds <c>x-amz-date</c>,
    /// <c>x-amz-content-sha256</c>, the session token if any, and <c>Authorization</c> to <paramref name="headers"/>.
    /// <c>Host</c> must be in the list.
    /// </summary>
    public static void Sign(string method, Uri uri, List<(string Name, string Value)> headers, KvsCredentials credentials, string region,
        DateTimeOffset now, string payloadHash)
    {
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        headers.RemoveAll(h => h.Name.Equals("x-amz-date", StringComparison.OrdinalIgnoreCase)
            || h.Name.Equals("x-amz-content-sha256", StringComparison.OrdinalIgnoreCase)
            || h.Name.Equals("x-amz-security-token", StringComparison.OrdinalIgnoreCase)
            || h.Name.Equals("Authorization", StringComparison.OrdinalIgnoreCase));
        headers.Add(("x-amz-date", amzDate));
        headers.Add(("x-amz-content-sha256", payloadHash));
        if (credentials.SessionToken is { } token)
        {
            headers.Add(("x-amz-security-token", token));
        }

        var signed = headers
            .Where(h => h.Name.Equals("host", StringComparison.OrdinalIgnoreCase)
                || h.Name.Equals("content-type", StringComparison.OrdinalIgnoreCase)
                || h.Name.StartsWith("x-amz", StringComparison.OrdinalIgnoreCase))
            .ToList();
        var canonical = CanonicalRequest(method, uri.AbsolutePath, uri.Query.TrimStart('?'), signed, payloadHash, out var signedHeaders);
        var scope = $"{amzDate[..8]}/{region}/{Service}/aws4_request";
        var signature = Signature(credentials.SecretAccessKey, amzDate, region, Service, canonical);
        headers.Add(("Authorization", $"AWS4-HMAC-SHA256 Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}"));
    }

    /// <summary>Signs an <see cref="HttpRequestMessage"/> (the control-plane calls).</summary>
    public static void Sign(HttpRequestMessage request, KvsCredentials credentials, string region, DateTimeOffset now, string payloadHash)
    {
        var uri = request.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(request));
        var headers = new List<(string Name, string Value)> { ("host", uri.Authority) };
        foreach (var header in request.Headers)
        {
            if (header.Key.StartsWith("x-amz", StringComparison.OrdinalIgnoreCase))
            {
                headers.Add((header.Key, string.Join(",", header.Value)));
            }
        }

        if (request.Content?.Headers.ContentType is MediaTypeHeaderValue contentType)
        {
            headers.Add(("content-type", contentType.ToString()));
        }

        Sign(request.Method.Method, uri, headers, credentials, region, now, payloadHash);
        foreach (var (name, value) in headers)
        {
            if (name is "x-amz-date" or "x-amz-content-sha256" or "x-amz-security-token" or "Authorization")
            {
                request.Headers.Remove(name);
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }
    }

    /// <summary>The canonical request: method, path, sorted query, sorted lower-case headers, signed header list, payload hash.</summary>
    public static string CanonicalRequest(string method, string path, string query, IEnumerable<(string Name, string Value)> headers,
        string payloadHash, out string signedHeaders)
    {
        var sorted = headers
            .Select(h => (Name: h.Name.ToLowerInvariant().Trim(), Value: CollapseSpaces(h.Value)))
            .OrderBy(h => h.Name, StringComparer.Ordinal)
            .ToList();
        signedHeaders = string.Join(";", sorted.Select(h => h.Name));
        var builder = new StringBuilder();
        builder.Append(method).Append('\n');
        builder.Append(string.IsNullOrEmpty(path) ? "/" : path).Append('\n');
        builder.Append(CanonicalQuery(query)).Append('\n');
        foreach (var (name, value) in sorted)
        {
            builder.Append(name).Append(':').Append(value).Append('\n');
        }

        builder.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);
        return builder.ToString();
    }

    /// <summary>The hex signature of a canonical request made at <paramref name="amzDate"/> (yyyyMMddTHHmmssZ).</summary>
    public static string Signature(string secretKey, string amzDate, string region, string service, string canonicalRequest)
    {
        var date = amzDate[..8];
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{date}/{region}/{service}/aws4_request\n{HexSha256(Encoding.UTF8.GetBytes(canonicalRequest))}";
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretKey), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        key = HMACSHA256.HashData(key, "aws4_request"u8);
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
    }

    public static string HexSha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static string CanonicalQuery(string query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return "";
        }

        return string.Join("&", query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair =>
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                var name = Uri.EscapeDataString(Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]));
                var value = eq < 0 ? "" : Uri.EscapeDataString(Uri.UnescapeDataString(pair[(eq + 1)..]));
                return (Name: name, Value: value);
            })
            .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => p.Name + "=" + p.Value));
    }

    private static string CollapseSpaces(string value)
    {
        var trimmed = value.Trim();
        var builder = new StringBuilder(trimmed.Length);
        var space = false;
        foreach (var c in trimmed)
        {
            if (c == ' ')
            {
                if (!space)
                {
                    builder.Append(c);
                }

                space = true;
            }
            else
            {
                builder.Append(c);
                space = false;
            }
        }

        return builder.ToString();
    }
}
