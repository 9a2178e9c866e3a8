using System.Buffers.Text;
using System.Security.Cryptography;

namespace VideoStreams.Server.Playback.Hls;

/// <summary>Why a session token was refused (a metric tag and the error message).</summary>
internal enum HlsTokenProblem
{
    None,
    Missing,
    Malformed,
    BadSignature,
    Expired,
}

/// <summary>
/// Session tokens: base64url(payload) + "." + base64url(HMAC-SHA256(secret, payload)). The payload is
/// <see cref="HlsSession"/>'s binary form, so a token carries everything a resource needs and no header or cookie is
/// required (plain players and iOS send none). The secret is 32 random bytes made on first start and kept in the
/// data folder (<see cref="SecretFileName"/>, mode 0600), so URLs stay valid across restarts.
/// </summary>
internal sealed class HlsTokens
{
    public const string SecretFileName = "hls-session.key";
    private const int SecretLength = 32;
    private const int MacLength = 32;

    private readonly byte[] _secret;
    private readonly TimeProvider _time;

    public HlsTokens(ServerOptions options, TimeProvider time)
        : this(LoadOrCreateSecret(Path.GetFullPath(options.DataDirectory)), time)
    {
    }

    internal HlsTokens(byte[] secret, TimeProvider time)
    {
        _secret = secret;
        _time = time;
    }

    public string Sign(HlsSession session)
    {
        Span<byte> payload = stackalloc byte[HlsSession.PayloadLength];
        session.Write(payload);
        Span<byte> mac = stackalloc byte[MacLength];
        HMACSHA256.HashData(_secret, payload, mac);
        return $"{Base64Url.EncodeToString(payload)}.{Base64Url.EncodeToString(mac)}";
    }

    /// <summary>Checks a token: well formed, signed with our secret (constant-time compare), not expired.</summary>
    public HlsTokenProblem Check(string? token, out HlsSession? session)
    {
        session = null;
        if (string.IsNullOrEmpty(token))
        {
            return HlsTokenProblem.Missing;
        }

        var dot = token.IndexOf('.');
        if (dot <= 0 || token.Length > 512)
        {
            return HlsTokenProblem.Malformed;
        }

        Span<byte> payload = stackalloc byte[HlsSession.PayloadLength + 3];
        Span<byte> mac = stackalloc byte[MacLength + 3];
        if (Base64Url.DecodeFromChars(token.AsSpan(0, dot), payload, out _, out var payloadLength) != System.Buffers.OperationStatus.Done
            || Base64Url.DecodeFromChars(token.AsSpan(dot + 1), mac, out _, out var macLength) != System.Buffers.OperationStatus.Done
            || (payloadLength != HlsSession.PayloadLength && payloadLength != HlsSession.PayloadLengthV1) || macLength != MacLength)
        {
            return HlsTokenProblem.Malformed;
        }

        Span<byte> expected = stackalloc byte[MacLength];
        HMACSHA256.HashData(_secret, payload[..payloadLength], expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, mac[..macLength]))
        {
            return HlsTokenProblem.BadSignature;
        }

        // Signed by us, so the payload is one we wrote; a version we no longer read is malformed.
        if (HlsSession.TryRead(payload[..payloadLength]) is not { } read)
        {
            return HlsTokenProblem.Malformed;
        }

        if (_time.GetUtcNow().ToUnixTimeMilliseconds() >= read.ExpiresMs)
        {
            return HlsTokenProblem.Expired;
        }

        session = read;
        return HlsTokenProblem.None;
    }

    /// <summary>The secret in the data folder, made on first start: written to a temporary file with mode 0600, then renamed.</summary>
    internal static byte[] LoadOrCreateSecret(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, SecretFileName);
        if (File.Exists(path))
        {
            var existing = File.ReadAllBytes(path);
            if (existing.Length != SecretLength)
            {
                throw new ServerConfigurationException($"{path} must hold {SecretLength} bytes (HLS session secret); got {existing.Length}. Delete it to make a new one.");
            }

            return existing;
        }

        Directory.CreateDirectory(dataDirectory);
        var secret = RandomNumberGenerator.GetBytes(SecretLength);
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(temporary, options))
        {
            file.Write(secret);
            file.Flush(flushToDisk: true);
        }

        try
        {
            // Two servers starting on one folder: the first rename wins and both use its secret.
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
            return File.ReadAllBytes(path);
        }

        return secret;
    }
}
