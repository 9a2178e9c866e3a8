namespace VideoStreams.Kvs;

/// <summary>AWS-style credentials: what <see cref="SigV4Signer"/> signs with.</summary>
/// <param name="AccessKeyId">The access key id (sent in the clear, in <c>Authorization</c>).</param>
/// <param name="SecretAccessKey">The secret key (never sent, never printed).</param>
/// <param name="SessionToken">A session token (sent as <c>x-amz-security-token</c>), or null.</param>
public record AwsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null)
{
    /// <summary>Never prints the secret; sealed so no derived record prints it either.</summary>
    public sealed override string ToString() => $"{GetType().Name}({AccessKeyId}, ***)";
}
