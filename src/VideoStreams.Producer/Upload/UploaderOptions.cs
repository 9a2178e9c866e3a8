using VideoStreams.Kvs;

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

    /// <summary>
    /// Most fragments sent in a session and not yet released (PERSISTED, or RECEIVED with
    /// <see cref="AcknowledgeOnReceived"/>): past it, sending waits for acks, so a slow server slows the reading of
    /// the spool instead of filling sockets and memory.
    /// </summary>
    public int MaxFragmentsInFlight { get; init; } = 16;

    /// <summary>Most body bytes in flight (see <see cref="MaxFragmentsInFlight"/>); one fragment is always allowed.</summary>
    public long MaxBytesInFlight { get; init; } = 64L << 20;

    /// <summary>On a graceful stop, how long to wait for the acks of what was sent before hanging up.</summary>
    public TimeSpan GracefulStopTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The oldest unacknowledged fragment in the spool older than this raises
    /// <see cref="PutMediaUploader.LatencyPressure"/> (and again when it is back under).
    /// </summary>
    public TimeSpan LatencyPressureThreshold { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        if (!Endpoint.IsAbsoluteUri || (Endpoint.Scheme != Uri.UriSchemeHttp && Endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"Endpoint must be an absolute http or https URL, not '{Endpoint}'.", nameof(Endpoint));
        }

        if (string.IsNullOrEmpty(StreamName) || StreamName.Length > 256
            || !StreamName.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
        {
            throw new ArgumentException($"StreamName '{StreamName}' must be 1–256 characters of [a-zA-Z0-9_.-].", nameof(StreamName));
        }

        Positive(StallTimeout, nameof(StallTimeout));
        Positive(MinBackoff, nameof(MinBackoff));
        Positive(ConnectTimeout, nameof(ConnectTimeout));
        Positive(LatencyPressureThreshold, nameof(LatencyPressureThreshold));
        if (MaxBackoff < MinBackoff)
        {
            throw new ArgumentException($"MaxBackoff ({MaxBackoff}) must not be less than MinBackoff ({MinBackoff}).", nameof(MaxBackoff));
        }

        if (GracefulStopTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException("GracefulStopTimeout must not be negative.", nameof(GracefulStopTimeout));
        }

        if (MaxFragmentsInFlight < 1 || MaxBytesInFlight < 1)
        {
            throw new ArgumentException("MaxFragmentsInFlight and MaxBytesInFlight must be at least 1.", nameof(MaxFragmentsInFlight));
        }

        if (string.IsNullOrWhiteSpace(Region))
        {
            throw new ArgumentException("Region must be set (it goes into signatures).", nameof(Region));
        }
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{name} must be positive, not {value}.", name);
        }
    }
}

/// <summary>AWS-style credentials: the producer's name for <see cref="AwsCredentials"/>, which never prints the secret.</summary>
/// <param name="AccessKeyId">The access key id.</param>
/// <param name="SecretAccessKey">The secret key.</param>
/// <param name="SessionToken">A session token, or null.</param>
public sealed record KvsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null)
    : AwsCredentials(AccessKeyId, SecretAccessKey, SessionToken);
