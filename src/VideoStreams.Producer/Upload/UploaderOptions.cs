namespace VideoStreams.Producer.Upload;

/// <summary>Settings of a <see cref="PutMediaUploader"/>.</summary>
public sealed record UploaderOptions
{
    /// <summary>The server's base URL (e.g. <c>http://127.0.0.1:5080/</c>); PutMedia goes to its <c>/putMedia</c>.</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>The KVS stream the fragments go to.</summary>
    public required string StreamName { get; init; }

    /// <summary>
    /// Release a fragment from the spool on RECEIVED instead of PERSISTED: for a stream with retention 0, which never
    /// persists.
    /// </summary>
    public bool AcknowledgeOnReceived { get; init; }

    /// <summary>No ack for this long while fragments are in flight means the connection is stalled: a new session is started.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>First reconnect delay; doubled per failed attempt up to <see cref="MaxBackoff"/>, with jitter.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest reconnect delay.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long connecting may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Credentials to sign requests with (SigV4), or null for none.</summary>
    public KvsCredentials? Credentials { get; init; }

    /// <summary>The region used in signatures.</summary>
    public string Region { get; init; } = "us-east-1";
}

/// <summary>AWS-style credentials.</summary>
/// <param name="AccessKeyId">The access key id.</param>
/// <param name="SecretAccessKey">The secret key.</param>
/// <param name="SessionToken">A session token, or null.</param>
public sealed record KvsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null)
{
    /// <summary>Never prints the secret.</summary>
    public override string ToString() => $"KvsCredentials({AccessKeyId}, ***)";
}
