namespace VideoStreams.Storage.Encryption;

/// <summary>Where a master key is read from.</summary>
public enum MasterKeyLocation
{
    /// <summary>A file holding the key: 32 raw bytes, or their base64 (one line).</summary>
    File,

    /// <summary>An environment variable holding the key's base64.</summary>
    Environment,

    /// <summary>A systemd credential (<c>LoadCredential=</c>): the file of that name in <c>$CREDENTIALS_DIRECTORY</c>.</summary>
    Credential,
}

/// <summary>A master key's id (what streams name as KmsKeyId) and where its 256 bits are.</summary>
/// <param name="KeyId">The KmsKeyId streams use, e.g. <c>aws/kinesisvideo</c> or an ARN.</param>
/// <param name="Location">The kind of place.</param>
/// <param name="Name">The file path, variable name or credential name.</param>
public sealed record MasterKeySource(string KeyId, MasterKeyLocation Location, string Name)
{
    /// <summary>
    /// Parses <c>KEYID=file:PATH</c>, <c>KEYID=env:VARIABLE</c> or <c>KEYID=credential:NAME</c> (the form the CLI and
    /// the server's configuration take). The key id may itself contain <c>=</c>-free text of any kind.
    /// </summary>
    /// <exception cref="FormatException">The text is not of that form.</exception>
    public static MasterKeySource Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var equals = text.LastIndexOf('=');
        if (equals <= 0)
        {
            throw new FormatException($"master key '{text}': expected KEYID=file:PATH, KEYID=env:VARIABLE or KEYID=credential:NAME");
        }

        var keyId = text[..equals];
        var where = text[(equals + 1)..];
        var colon = where.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? "" : where[(colon + 1)..];
        var location = colon < 0 ? (MasterKeyLocation?)null : where[..colon] switch
        {
            "file" => MasterKeyLocation.File,
            "env" => MasterKeyLocation.Environment,
            "credential" => MasterKeyLocation.Credential,
            _ => null,
        };
        if (location is null || name.Length == 0)
        {
            throw new FormatException($"master key '{text}': the place must be file:PATH, env:VARIABLE or credential:NAME");
        }

        return new MasterKeySource(keyId, location.Value, name);
    }

    /// <summary>Where it looks, for messages: "file /etc/videostreams/master.key" and so on.</summary>
    public string Describe() => Location switch
    {
        MasterKeyLocation.File => $"file {Name}",
        MasterKeyLocation.Environment => $"environment variable {Name}",
        _ => $"systemd credential {Name} ($CREDENTIALS_DIRECTORY/{Name})",
    };
}
