using System.Globalization;

namespace VideoStreams.Storage.CrashHost;

/// <summary>
/// The crash host's command line: <c>DATA_DIR [--streams N] [--seed S] [--chunk-size BYTES] [--min-size BYTES]
/// [--max-size BYTES] [--window N]</c>. The test opens the store with <see cref="StoreOptions"/> too, so both agree on
/// the layout.
/// </summary>
internal sealed record CrashHostSettings(string DataDirectory, int Streams, long Seed, long ChunkSize, int MinSize, int MaxSize, int Window)
{
    /// <summary>Stream names are fixed so that every run finds the streams the first one created.</summary>
    public static string StreamName(int index) => $"crash-{index}";

    /// <summary>Even streams keep 24 h, odd ones 48 h: two logs, so a commit syncs more than one chunk.</summary>
    public static int RetentionHours(int index) => index % 2 == 0 ? 24 : 48;

    /// <summary>The store's options for a data folder: small chunks, so the runs also kill the store while it rolls chunks.</summary>
    public static FragmentStoreOptions StoreOptions(string dataDirectory, long chunkSize) => new()
    {
        DataDirectory = dataDirectory,
        ChunkSize = chunkSize,

        // Encrypted (the default), with data keys rotating every few hundred milliseconds: kills also land while a
        // key is being started, and the nonce check covers many keys.
        Encryption = new Encryption.EncryptionOptions { RotationPeriod = TimeSpan.FromMilliseconds(300) },
    };

    public static CrashHostSettings Parse(string[] args)
    {
        if (args.Length == 0)
        {
            throw new ArgumentException("usage: CrashHost DATA_DIR [--streams N] [--seed S] [--chunk-size BYTES] [--min-size BYTES] [--max-size BYTES] [--window N]");
        }

        var settings = new CrashHostSettings(args[0], Streams: 4, Seed: 1, ChunkSize: 4 << 20, MinSize: 200, MaxSize: 48 << 10, Window: 8);
        for (var i = 1; i + 1 < args.Length; i += 2)
        {
            var value = long.Parse(args[i + 1], CultureInfo.InvariantCulture);
            settings = args[i] switch
            {
                "--streams" => settings with { Streams = checked((int)value) },
                "--seed" => settings with { Seed = value },
                "--chunk-size" => settings with { ChunkSize = value },
                "--min-size" => settings with { MinSize = checked((int)value) },
                "--max-size" => settings with { MaxSize = checked((int)value) },
                "--window" => settings with { Window = checked((int)value) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }

        return settings with { MinSize = Math.Max(settings.MinSize, CrashContent.HeaderSize) };
    }
}
