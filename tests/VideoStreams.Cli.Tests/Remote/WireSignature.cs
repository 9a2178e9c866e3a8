using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace VideoStreams.Cli.Tests.Remote;

/// <summary>
/// SigV4 recomputed from a request as it arrived, written apart from the signer (VideoStreams.Kvs) so that a bug there
/// cannot hide here: the Authorization header's credential scope and SignedHeaders, each signed header's value as
/// received, the path and query as sent, and the SHA-256 of the body that came.
/// </summary>
internal static partial class WireSignature
{
    /// <summary>The parts of an <c>AWS4-HMAC-SHA256</c> Authorization header.</summary>
    public sealed record Parts(string AccessKeyId, string Scope, IReadOnlyList<string> SignedHeaders, string Signature);

    public static Parts Parse(CapturedRequest request)
    {
        var match = Authorization().Match(request.Header("Authorization") ?? "");
        Assert.True(match.Success, "expected a SigV4 Authorization header:\n" + request);
        return new Parts(match.Groups["key"].Value, match.Groups["scope"].Value, match.Groups["signed"].Value.Split(';'), match.Groups["signature"].Value);
    }

    /// <summary>Null when the request is signed by <paramref name="accessKeyId"/>/<paramref name="secret"/> for <paramref name="region"/>; else why not.</summary>
    public static string? Problem(CapturedRequest request, string accessKeyId, string secret, string region)
    {
        var match = Authorization().Match(request.Header("Authorization") ?? "");
        if (!match.Success)
        {
            return "Authorization is not 'AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…'";
        }

        var amzDate = request.Header("x-amz-date") ?? "";
        if (!DateTime.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var signedAt)
            || Math.Abs((DateTime.UtcNow - signedAt).TotalMinutes) > 15)
        {
            return $"x-amz-date '{amzDate}' is not within 15 minutes of now";
        }

        var bodyHash = Convert.ToHexStringLower(SHA256.HashData(request.Body));
        if (request.Header("x-amz-content-sha256") != bodyHash)
        {
            return $"x-amz-content-sha256 '{request.Header("x-amz-content-sha256")}' is not the body's SHA-256 {bodyHash}";
        }

        var scope = $"{amzDate[..8]}/{region}/kinesisvideo/aws4_request";
        if (match.Groups["key"].Value != accessKeyId || match.Groups["scope"].Value != scope)
        {
            return $"the credential is not {accessKeyId}/{scope}";
        }

        var signedList = match.Groups["signed"].Value;
        var signed = signedList.Split(';');
        if (!signed.SequenceEqual(signed.Select(n => n.ToLowerInvariant()).Order(StringComparer.Ordinal)))
        {
            return $"SignedHeaders '{signedList}' are not lower case and sorted";
        }

        string[] mustBeSigned = ["host", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token", "content-type", "range", "if-range"];
        if (mustBeSigned.Where(name => request.Header(name) is not null).Except(signed).ToList() is { Count: > 0 } unsigned)
        {
            return "sent but not signed: " + string.Join(", ", unsigned);
        }

        if (signed.FirstOrDefault(name => request.Header(name) is null) is { } missing)
        {
            return $"signed but not sent: {missing}";
        }

        var canonical = new StringBuilder();
        canonical.Append(request.Method).Append('\n').Append(request.Path).Append('\n');
        var query = request.Query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .OrderBy(pair => pair[0], StringComparer.Ordinal).ThenBy(pair => pair.Length > 1 ? pair[1] : "", StringComparer.Ordinal)
            .Select(pair => pair[0] + "=" + (pair.Length > 1 ? pair[1] : ""));
        canonical.Append(string.Join('&', query)).Append('\n');
        foreach (var name in signed)
        {
            canonical.Append(name).Append(':').Append(request.Header(name)!.Trim()).Append('\n');
        }

        canonical.Append('\n').Append(signedList).Append('\n').Append(bodyHash);
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}";
        var key = Encoding.UTF8.GetBytes("AWS4" + secret);
        foreach (var part in new[] { amzDate[..8], region, "kinesisvideo", "aws4_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        return expected == match.Groups["signature"].Value
            ? null
            : $"the signature is not {expected}, computed over the canonical request\n{canonical}";
    }

    [GeneratedRegex(@"^AWS4-HMAC-SHA256 Credential=(?<key>[^/,]+)/(?<scope>[^,]+), SignedHeaders=(?<signed>[^,]+), Signature=(?<signature>[0-9a-f]{64})$")]
    private static partial Regex Authorization();
}
