using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using VideoStreams.Storage.Files;
using VideoStreams.Storage.Streams;

namespace VideoStreams.Storage.Encryption;

/// <summary>
/// Finds master keys by key id: in the configured places (a file, an environment variable, a systemd credential),
/// or — for the default key id only, when nothing is configured for it and the demo default is allowed — in the data
/// folder, where it is created once (mode 0600) with a warning at every open. Never overwrites a key.
/// </summary>
internal sealed class MasterKeyRing
{
    /// <summary>The demo master key, inside the data folder.</summary>
    public const string DemoKeyPath = "keys/master.key";

    public const int KeySize = 32;

    private readonly EncryptionOptions _options;
    private readonly IStorageFileSystem _files;
    private readonly ILogger _logger;
    private readonly Dictionary<string, byte[]> _keys = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private bool _demoWarned;

    public MasterKeyRing(EncryptionOptions options, IStorageFileSystem files, ILogger logger)
    {
        _options = options;
        _files = files;
        _logger = logger;
    }

    /// <summary>The key's 256 bits.</summary>
    /// <param name="keyId">The KmsKeyId.</param>
    /// <param name="mayCreateDemoKey">
    /// When the demo key is missing, create it. Only when no data key is wrapped by it yet: otherwise a missing demo key
    /// means the key was lost or the folder moved without it, and creating a new one would hide that.
    /// </param>
    /// <exception cref="MasterKeyUnavailableException">Not found or unreadable; the message says where it looked.</exception>
    public byte[] Resolve(string keyId, bool mayCreateDemoKey)
    {
        lock (_gate)
        {
            if (_keys.TryGetValue(keyId, out var cached))
            {
                return cached;
            }

            var looked = new List<string>();
            foreach (var source in _options.MasterKeys.Where(s => s.KeyId == keyId))
            {
                if (TryRead(source, out var key, out var problem))
                {
                    _keys[keyId] = key;
                    return key;
                }

                looked.Add($"{source.Describe()} ({problem})");
            }

            if (looked.Count == 0 && keyId == StreamCatalog.DefaultKmsKeyId && _options.DemoKeyInDataFolder)
            {
                var demo = ReadOrCreateDemoKey(mayCreateDemoKey, looked);
                if (demo is not null)
                {
                    _keys[keyId] = demo;
                    return demo;
                }
            }

            if (looked.Count == 0)
            {
                looked.Add("no place is configured for it (configure KEYID=file:PATH, KEYID=env:VARIABLE or KEYID=credential:NAME)");
            }

            throw new MasterKeyUnavailableException(keyId,
                $"Master key '{keyId}' is not available: looked in {string.Join("; ", looked)}. Nothing was changed.");
        }
    }

    /// <summary>Null when streams may name this key id now (its key is found); otherwise why not.</summary>
    public string? Check(string keyId)
    {
        try
        {
            Resolve(keyId, mayCreateDemoKey: true);
            return null;
        }
        catch (MasterKeyUnavailableException e)
        {
            return e.Message;
        }
    }

    private static bool TryRead(MasterKeySource source, out byte[] key, out string problem)
    {
        key = [];
        try
        {
            switch (source.Location)
            {
                case MasterKeyLocation.File:
                    return TryParse(File.ReadAllBytes(source.Name), out key, out problem);
                case MasterKeyLocation.Environment:
                    var value = Environment.GetEnvironmentVariable(source.Name);
                    if (string.IsNullOrEmpty(value))
                    {
                        problem = "not set";
                        return false;
                    }

                    return TryParse(Encoding.ASCII.GetBytes(value), out key, out problem);
                default:
                    var directory = Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY");
                    if (string.IsNullOrEmpty(directory))
                    {
                        problem = "$CREDENTIALS_DIRECTORY is not set: not started by systemd with LoadCredential=";
                        return false;
                    }

                    return TryParse(File.ReadAllBytes(Path.Combine(directory, source.Name)), out key, out problem);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = e is FileNotFoundException or DirectoryNotFoundException ? "missing" : e.Message;
            return false;
        }
    }

    /// <summary>32 raw bytes, or their base64 on one line (surrounding white space ignored).</summary>
    private static bool TryParse(byte[] content, out byte[] key, out string problem)
    {
        if (content.Length == KeySize)
        {
            key = content;
            problem = "";
            return true;
        }

        var text = Encoding.ASCII.GetString(content).Trim();
        var decoded = new byte[KeySize + 3];
        if (Convert.TryFromBase64String(text, decoded, out var written) && written == KeySize)
        {
            key = decoded[..KeySize];
            problem = "";
            return true;
        }

        key = [];
        problem = $"not a 256-bit key: expected 32 bytes or their base64, found {content.Length} bytes";
        return false;
    }

    private byte[]? ReadOrCreateDemoKey(bool mayCreate, List<string> looked)
    {
        var where = $"the data folder's demo key {DemoKeyPath}";
        if (_files.Exists(DemoKeyPath))
        {
            using var file = _files.Open(DemoKeyPath, writable: false);
            var content = new byte[Math.Min(file.Length, 4096)];
            var read = file.Read(content, 0);
            if (TryParse(content[..read], out var key, out var problem))
            {
                WarnDemo(created: false);
                return key;
            }

            if (!mayCreate)
            {
                looked.Add($"{where} ({problem})");
                return null;
            }

            // Nothing is wrapped by it: its creation was cut short (a crash between creating the file and syncing
            // it). Make it again.
            file.Dispose();
            _files.Delete(DemoKeyPath);
            _files.SyncDirectory("keys");
        }

        if (!mayCreate)
        {
            looked.Add($"{where} (missing, and data keys wrapped by it exist: it was lost or left behind)");
            return null;
        }

        var fresh = RandomNumberGenerator.GetBytes(KeySize);
        _files.CreateDirectory("keys");
        using (var file = _files.CreatePrivate(DemoKeyPath))
        {
            file.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(fresh) + "\n"), 0);
            file.Sync();
        }

        _files.SyncDirectory("keys");
        _files.SyncDirectory(".");
        WarnDemo(created: true);
        return fresh;
    }

    private void WarnDemo(bool created)
    {
        if (!_demoWarned)
        {
            _demoWarned = true;
            EncryptionLog.DemoMasterKey(_logger, created ? "created" : "using", DemoKeyPath);
        }
    }
}
