using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace VideoStreams.Kvs;

/// <summary>
/// AWS Signature Version 4 (KVS-API §1.3): service <c>kinesisvideo</c>, scope <c>date/region/kinesisvideo/aws4_request</c>.
/// Signs the host, the <c>x-amz-*</c>/<c>x-amzn-*</c> headers, Content-Type, and Range and If-Range (they decide which
/// bytes a resumed clip gets). A buffered body is signed by its SHA-256; a streamed
/// PutMedia body as <c>UNSIGNED-PAYLOAD</c> (sent as <c>x-amz-content-sha256</c>), since its bytes are not known in advance.
/// </summary>
public static class SigV4Signer
{
    /// <summary>The service name in the scope: the same for all three KVS clients.</summary>
    public const string Service = "kinesisvideo";

    /// <summary>The payload hash of a body that is not signed (a streamed PutMedia).</summary>
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";

    /// <summary>The payload hash of a request without a body: the SHA-256 of nothing.</summary>
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>
    /// Signs a request given as a header list (the PutMedia connection writes its own head): adds <c>x-amz-date</c>,
    /// <c>x-amz-content-sha256</c>, the session token if any, and <c>Authorization</c> to <paramref name="headers"/>.
    /// <c>Host</c> must be in the list.
    /// </summary>
    /// <param name="method">The HTTP method (<c>POST</c>).</param>
    /// <param name="uri">The absolute URL: its path and query are signed.</param>
    /// <param name="headers">The request's headers; the signing headers are replaced or added.</param>
    /// <param name="credentials">Who signs.</param>
    /// <param name="region">The region in the scope.</param>
    /// <param name="now">The signing time (<c>x-amz-date</c>).</param>
    /// <param name="payloadHash">The body's hex SHA-256, <see cref="EmptyPayloadHash"/> or <see cref="UnsignedPayload"/>.</param>
    public static void Sign(string method, Uri uri, List<(string Name, string Value)> headers, AwsCredentials credentials, string region,
        DateTimeOffset now, string payloadHash)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(credentials);
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

        var signed = headers.Where(h => IsSigned(h.Name)).ToList();
        var canonical = CanonicalRequest(method, uri.AbsolutePath, uri.Query.TrimStart('?'), signed, payloadHash, out var signedHeaders);
        var scope = $"{amzDate[..8]}/{region}/{Service}/aws4_request";
        var signature = Signature(credentials.SecretAccessKey, amzDate, region, Service, canonical);
        headers.Add(("Authorization", $"AWS4-HMAC-SHA256 Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}"));
    }

    /// <summary>
    /// Signs an <see cref="HttpRequestMessage"/> (the control-plane calls, <c>vs</c>'s requests) just before it is sent:
    /// its URI must be absolute. Host is the request's Host header, else the URI's authority (what HttpClient sends).
    /// </summary>
    /// <param name="request">The request; the signing headers are replaced or added.</param>
    /// <param name="credentials">Who signs.</param>
    /// <param name="region">The region in the scope.</param>
    /// <param name="now">The signing time (<c>x-amz-date</c>).</param>
    /// <param name="payloadHash">The body's hex SHA-256, <see cref="EmptyPayloadHash"/> or <see cref="UnsignedPayload"/>.</param>
    public static void Sign(HttpRequestMessage request, AwsCredentials credentials, string region, DateTimeOffset now, string payloadHash)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri is { IsAbsoluteUri: true } absolute
            ? absolute
            : throw new ArgumentException("The request has no absolute URI.", nameof(request));
        var headers = new List<(string Name, string Value)> { ("host", request.Headers.Host ?? uri.Authority) };
        foreach (var header in request.Headers)
        {
            if (IsSigned(header.Key) && !header.Key.Equals("host", StringComparison.OrdinalIgnoreCase))
            {
                // As HttpClient writes several values of one header: one line, ", " between them.
                headers.Add((header.Key, string.Join(", ", header.Value)));
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
    /// <param name="method">The HTTP method.</param>
    /// <param name="path">The URL's path as sent (<see cref="Uri.AbsolutePath"/>).</param>
    /// <param name="query">The query without its '?', or empty.</param>
    /// <param name="headers">Exactly the headers to sign.</param>
    /// <param name="payloadHash">As sent in <c>x-amz-content-sha256</c>.</param>
    /// <param name="signedHeaders">The <c>SignedHeaders</c> list: lower-case names, sorted, ';' between them.</param>
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
    /// <param name="secretKey">The secret access key.</param>
    /// <param name="amzDate">The <c>x-amz-date</c> value.</param>
    /// <param name="region">The region in the scope.</param>
    /// <param name="service">The service in the scope (<see cref="Service"/>).</param>
    /// <param name="canonicalRequest">From <see cref="CanonicalRequest"/>.</param>
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

    /// <summary>Lower-case hex SHA-256: the payload hash of a buffered body.</summary>
    public static string HexSha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>
    /// The headers that say what the request does: never User-Agent, Connection or Transfer-Encoding, which proxies and
    /// HTTP stacks may change on the way.
    /// </summary>
    private static bool IsSigned(string name) =>
        name.StartsWith("x-amz", StringComparison.OrdinalIgnoreCase)
        || name.Equals("host", StringComparison.OrdinalIgnoreCase)
        || name.Equals("content-type", StringComparison.OrdinalIgnoreCase)
        || name.Equals("range", StringComparison.OrdinalIgnoreCase)
        || name.Equals("if-range", StringComparison.OrdinalIgnoreCase);

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
