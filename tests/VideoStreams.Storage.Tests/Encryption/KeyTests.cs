using Microsoft.Extensions.Time.Testing;
using VideoStreams.Storage.Encryption;
using VideoStreams.Storage.Streams;
using VideoStreams.Storage.Tests.Retention;
using VideoStreams.Storage.Tests.Store;

namespace VideoStreams.Storage.Tests.Encryption;

/// <summary>
/// Keys: data keys per stream and per rotation period, wrapped by master keys found in files, environment variables or
/// systemd credentials — or, for demos only, in the data folder. A store whose master key is missing or wrong refuses
/// to open and says where it looked; nothing is overwritten.
/// </summary>
public sealed class KeyTests
{
    private static readonly byte[] Pattern = MakePattern();

    [Fact]
    public async Task A_known_pattern_from_the_frames_is_nowhere_in_the_data_folder()
    {
        using var s = new EncryptedStore();
        await WritePatternFragments(s);
        s.Close();

        foreach (var (path, bytes) in s.AllFiles())
        {
            Assert.True(bytes.AsSpan().IndexOf(Pattern) < 0, $"{path} holds the plain pattern");
        }

        using var reopened = s.OpenAgain();
        var fragment = reopened.Index.ListByTime(1, Fragments.TimestampKind.Producer, 0, long.MaxValue, 10).Fragments[0];
        Assert.True(reopened.Read(fragment).Value!.Media.AsSpan().IndexOf(Pattern) >= 0, "the pattern does not read back");
    }

    [Fact]
    public async Task With_encryption_off_the_same_search_finds_the_pattern()
    {
        // The check above can fail: without sealing, the pattern is right there on disk.
        using var s = new EncryptedStore(o => o with { Encryption = new EncryptionOptions { Enabled = false } });
        await WritePatternFragments(s);
        s.Close();
        Assert.Contains(s.AllFiles(), f => f.Bytes.AsSpan().IndexOf(Pattern) >= 0);
    }

    [Fact]
    public async Task Data_written_before_and_after_two_rotations_all_reads_back_and_needs_every_key()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var folder = Directory.CreateTempSubdirectory("vs-keys-").FullName;
        try
        {
            var options = new FragmentStoreOptions { DataDirectory = folder, CommitInterval = TimeSpan.FromMilliseconds(1), Encryption = new EncryptionOptions { RotationPeriod = TimeSpan.FromDays(7) } };
            var written = new List<(long Number, byte[] Media)>();
            long cam;
            using (var store = FragmentStore.Open(options, time: time))
            {
                cam = StoreHarness.CreateStream(store, "cam");
                written.Add(await Persist(store, cam, 1));
                time.Advance(TimeSpan.FromDays(8)); // the rotation period passes: the next fragment starts key 2
                written.Add(await Persist(store, cam, 2));
                var rotated = store.RotateDataKeys(cam); // on request: key 3
                Assert.Single(rotated);
                written.Add(await Persist(store, cam, 3));

                var keys = store.DataKeys();
                Assert.Equal([1u, 2u, 3u], keys.Select(k => k.KeyId));
                Assert.All(keys, k => Assert.Equal((cam, StreamCatalog.DefaultKmsKeyId), (k.StreamId, k.MasterKeyId)));
                Assert.Equal([false, false, true], keys.Select(k => k.Current));
            }

            using (var reopened = FragmentStore.Open(options, time: time))
            {
                // Each fragment names the key that sealed it, and every key is still found after a restart.
                Assert.Equal([1u, 2u, 3u], written.Select(w => KeyIdOnDisk(folder, reopened, w.Number)));
                Assert.All(written, w => Assert.Equal(w.Media, reopened.Read(w.Number).Value!.Media));
                Assert.Equal(3u, reopened.DataKeys().Single(k => k.Current).KeyId);
                var next = await Persist(reopened, cam, 4);
                Assert.Equal(3u, KeyIdOnDisk(folder, reopened, next.Number));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_master_key_file_outside_the_data_folder_is_used_and_no_demo_key_is_made()
    {
        using var keyFolder = new TempFolder();
        var keyPath = Path.Combine(keyFolder.Path, "master.key");
        await File.WriteAllTextAsync(keyPath, Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()) + "\n");
        using var s = new EncryptedStore(o => o with { Encryption = new EncryptionOptions { MasterKeys = [EncryptedStore.KeyFile("aws/kinesisvideo", keyPath)], DemoKeyInDataFolder = false } });
        var cam = s.Stream("cam");
        var written = await s.Persist(cam, EncryptedStore.Media(1), 1_000);

        Assert.False(File.Exists(Path.Combine(s.Folder, "keys", "master.key")));
        s.Reopen();
        Assert.Equal(written.Media, s.Store.Read(written.Entry.Number).Value!.Media);
    }

    [Fact]
    public async Task A_missing_master_key_stops_the_open_naming_the_key_and_where_it_looked_and_nothing_changes()
    {
        using var keyFolder = new TempFolder();
        var keyPath = Path.Combine(keyFolder.Path, "master.key");
        var key = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();
        await File.WriteAllBytesAsync(keyPath, key);
        var source = EncryptedStore.KeyFile("site-key", keyPath);
        using var s = new EncryptedStore(o => o with { Encryption = new EncryptionOptions { MasterKeys = [source], DemoKeyInDataFolder = false } });
        var created = s.Store.Streams.CreateStream("cam", kmsKeyId: "site-key", dataRetentionInHours: 24);
        Assert.True(created.IsSuccess, created.Message);
        await s.Persist(created.Value!.Id, EncryptedStore.Media(1), 1_000);
        s.Close();
        var before = Snapshot(s.Folder);

        File.Delete(keyPath);
        var e = Assert.Throws<MasterKeyUnavailableException>(() => FragmentStore.Open(s.Options));
        Assert.Equal("site-key", e.KeyId);
        Assert.Contains("'site-key'", e.Message, StringComparison.Ordinal);
        Assert.Contains($"file {keyPath} (missing)", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(s.Folder));

        // Another key in its place is not taken for it either.
        await File.WriteAllBytesAsync(keyPath, new byte[32]);
        var wrong = Assert.Throws<MasterKeyUnavailableException>(() => FragmentStore.Open(s.Options));
        Assert.Contains("does not unwrap", wrong.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(s.Folder));

        // With the right key back, everything is there.
        await File.WriteAllBytesAsync(keyPath, key);
        s.OpenAgain();
        Assert.Equal(1, s.Store.Index.CountFragments());
    }

    [Fact]
    public async Task A_lost_demo_key_is_not_silently_replaced()
    {
        using var s = new EncryptedStore();
        var cam = s.Stream("cam");
        await s.Persist(cam, EncryptedStore.Media(1), 1_000);
        s.Close();
        var demo = Path.Combine(s.Folder, "keys", "master.key");
        var key = await File.ReadAllBytesAsync(demo);
        File.Delete(demo);

        var e = Assert.Throws<MasterKeyUnavailableException>(() => FragmentStore.Open(s.Options));
        Assert.Contains("keys/master.key (missing, and data keys wrapped by it exist", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(demo), "a new demo key was made in place of the lost one");

        await File.WriteAllBytesAsync(demo, key);
        s.OpenAgain();
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_demo_key_is_private_to_its_owner_and_its_use_is_a_warning()
    {
        using var logs = new CapturingLoggerFactory();
        var folder = Directory.CreateTempSubdirectory("vs-demo-").FullName;
        try
        {
            using (var store = FragmentStore.Open(new FragmentStoreOptions { DataDirectory = folder }, loggerFactory: logs))
            {
                StoreHarness.CreateStream(store, "cam");
            }

            var demo = Path.Combine(folder, "keys", "master.key");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(demo));
            var warning = Assert.Single(logs.WithEvent(2301));
            Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warning.Level);
            Assert.Contains("created the demo master key", warning.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Environment_variables_and_systemd_credentials_hold_master_keys_too()
    {
        using var credentials = new TempFolder();
        var variable = "VS_TEST_MASTER_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, Convert.ToBase64String(new byte[32]));
        File.WriteAllBytes(Path.Combine(credentials.Path, "vs-master"), Enumerable.Repeat((byte)9, 32).ToArray());
        var previous = Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY");
        Environment.SetEnvironmentVariable("CREDENTIALS_DIRECTORY", credentials.Path);
        try
        {
            var ring = new MasterKeyRing(new EncryptionOptions
            {
                MasterKeys = [MasterKeySource.Parse($"from-env=env:{variable}"), MasterKeySource.Parse("from-systemd=credential:vs-master")],
            }, new Files.SimulatedFileSystem(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

            Assert.Equal(new byte[32], ring.Resolve("from-env", mayCreateDemoKey: false));
            Assert.Equal(Enumerable.Repeat((byte)9, 32), ring.Resolve("from-systemd", mayCreateDemoKey: false));
            var e = Assert.Throws<MasterKeyUnavailableException>(() => ring.Resolve("nobody", mayCreateDemoKey: true));
            Assert.Contains("no place is configured", e.Message, StringComparison.Ordinal);
            Assert.Throws<FormatException>(() => MasterKeySource.Parse("k=ftp:somewhere"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
            Environment.SetEnvironmentVariable("CREDENTIALS_DIRECTORY", previous);
        }
    }

    [Fact]
    public void Creating_a_stream_whose_KmsKeyId_names_no_available_master_key_is_an_invalid_argument()
    {
        using var s = new EncryptedStore();
        var created = s.Store.Streams.CreateStream("cam", kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/unknown", dataRetentionInHours: 24);
        Assert.Equal(StorageError.InvalidArgument, created.Error);
        Assert.Contains("arn:aws:kms:us-east-1:123456789012:key/unknown", created.Message, StringComparison.Ordinal);
        Assert.Null(s.Store.Index.FindStreamByName("cam"));
    }

    private static async Task WritePatternFragments(EncryptedStore s)
    {
        var cam = s.Stream("cam");
        for (var i = 0; i < 5; i++)
        {
            // Frames whose pixels carry the pattern, among other bytes.
            var media = new byte[8_000];
            new Random(i).NextBytes(media);
            Pattern.CopyTo(media, 1_000 + (i * 100));
            await s.Persist(cam, media, i * 1000L);
        }
    }

    private static async Task<(long Number, byte[] Media)> Persist(FragmentStore store, long stream, int seed)
    {
        var media = EncryptedStore.Media(seed);
        var appended = store.Append(stream, new NewFragment(seed * 1000L, seed * 1000L, 1000, Fragments.FragmentFlags.StartsWithKeyframe, media));
        Assert.True(appended.IsSuccess, appended.Message);
        var persisted = await appended.Value!.Persisted;
        Assert.True(persisted.IsSuccess, persisted.Message);
        return (persisted.Value.Number, media);
    }

    /// <summary>The key id written in the fragment's record on disk.</summary>
    private static uint KeyIdOnDisk(string folder, FragmentStore store, long number)
    {
        var entry = store.Index.GetFragment(number)!.Value;
        var path = Path.Combine(folder, Log.LogLayout.ChunkPath("h24", entry.ChunkId));
        using var file = File.OpenHandle(path);
        var keyId = new byte[4];
        RandomAccess.Read(file, keyId, entry.Offset + 32 + 32);
        return BitConverter.ToUInt32(keyId);
    }

    private static byte[] MakePattern()
    {
        var pattern = new byte[1024];
        for (var i = 0; i < pattern.Length; i++)
        {
            pattern[i] = (byte)((i * 31) ^ (i >> 3) ^ 0x5A);
        }

        return pattern;
    }

    /// <summary>The media and keys of a data folder (the index is rebuildable and SQLite tidies it on close).</summary>
    private static Dictionary<string, string> Snapshot(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
            .Where(p => !System.IO.Path.GetFileName(p).StartsWith("index.db", StringComparison.Ordinal))
            .ToDictionary(p => p, p => StoreHarness.Hash(File.ReadAllBytes(p)));

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("vs-key-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
