using VideoStreams.Kvs;

namespace VideoStreams.Cli.Remote;

/// <summary>
/// Signs each request with SigV4 (service <c>kinesisvideo</c>, the connection's region) as it leaves the HttpClient,
/// so KVS operations, our own GET endpoints and a resumed clip's Range are signed in one place, after every header is
/// set. <see cref="VsClient"/> puts it in front of the socket handler only when credentials were found: without them a
/// request carries no signing headers at all.
/// </summary>
internal sealed class SigningHandler(AwsCredentials credentials, string region, TimeProvider time) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var payloadHash = await PayloadHashAsync(request.Content, cancellationToken);
        SigV4Signer.Sign(request, credentials, region, time.GetUtcNow(), payloadHash);
        return await base.SendAsync(request, cancellationToken);
    }

    /// <summary>
    /// A buffered body (the JSON of a KVS operation, under a kilobyte) is signed by its SHA-256; a streamed one, whose
    /// bytes are not known before it is sent, as <c>UNSIGNED-PAYLOAD</c>; none, by the hash of nothing.
    /// </summary>
    private static async Task<string> PayloadHashAsync(HttpContent? content, CancellationToken cancellationToken) => content switch
    {
        null => SigV4Signer.EmptyPayloadHash,
        ByteArrayContent or ReadOnlyMemoryContent => SigV4Signer.HexSha256(await content.ReadAsByteArrayAsync(cancellationToken)),
        _ => SigV4Signer.UnsignedPayload,
    };
}
