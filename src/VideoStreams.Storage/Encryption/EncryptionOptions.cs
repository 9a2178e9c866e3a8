namespace VideoStreams.Storage.Encryption;

/// <summary>
/// Encryption at rest (on by default): every fragment's media is sealed with AES-256-GCM under a data key of its
/// stream; data keys are wrapped by the master key the stream's KmsKeyId names (see docs/STORAGE.md, "Encryption").
/// </summary>
public sealed record EncryptionOptions
{
    /// <summary>Seal fragments (default). Off only for measurements: the store then keeps media as received.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Where master keys are, by key id. In production they live off the data disk.</summary>
    public IReadOnlyList<MasterKeySource> MasterKeys { get; init; } = [];

    /// <summary>
    /// When no source is configured for the default key id (<c>aws/kinesisvideo</c>), keep a generated one in the data
    /// folder (<c>keys/master.key</c>, mode 0600) and warn at every open: for demos and tests, since a stolen disk then
    /// carries its key with it. Default true; a server configured for production sets it false.
    /// </summary>
    public bool DemoKeyInDataFolder { get; init; } = true;

    /// <summary>A stream starts a new data key once its current one is this old. Default 30 days.</summary>
    public TimeSpan RotationPeriod { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rotation period is not positive.</exception>
    public void Validate() => ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RotationPeriod, TimeSpan.Zero, nameof(RotationPeriod));
}
