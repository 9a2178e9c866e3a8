namespace VideoStreams.Storage.Encryption;

/// <summary>
/// A master key that the data or a stream needs cannot be found or read. The store refuses to open rather than
/// overwrite or ignore anything; the message names the key id and every place that was looked at.
/// </summary>
public sealed class MasterKeyUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MasterKeyUnavailableException(string keyId, string message)
        : base(message) => KeyId = keyId;

    /// <summary>The KmsKeyId that could not be resolved.</summary>
    public string KeyId { get; }
}
