using VideoStreams.Storage.Encryption;
using VideoStreams.Storage.Format;
using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Log;
using VideoStreams.Storage.Tests.Store;

namespace VideoStreams.Storage.Tests.Encryption;

/// <summary>A store on the real disk, in a temporary folder, with helpers to write fragments and to tamper with records.</summary>
internal sealed class EncryptedStore : IDisposable
{
    private readonly StoreHarness _harness;

    public EncryptedStore(Func<FragmentStoreOptions, FragmentStoreOptions>? configure = null)
    {
        _harness = new StoreHarness(configure: configure);
        Store = _harness.Open();
    }

    public FragmentStore Store { get; private set; }

    public string Folder => _harness.Folder;

    public FragmentStoreOptions Options => _harness.Options;

    public void Reopen(bool loseIndex = false)
    {
        Store.Dispose();
        if (loseIndex)
        {
            _harness.DeleteIndex();
        }

        Store = _harness.Open();
    }

    public void Close() => Store.Dispose();

    public FragmentStore OpenAgain() => Store = _harness.Open();

    public long Stream(string name, int retentionHours = 24) => StoreHarness.CreateStream(Store, name, retentionHours);

    public async Task<(FragmentEntry Entry, byte[] Media)> Persist(long stream, byte[] media, long producerMs)
    {
        var appended = Store.Append(stream, new NewFragment(producerMs, producerMs + 5, 1000, FragmentFlags.StartsWithKeyframe | FragmentFlags.HasVideo, media));
        Assert.True(appended.IsSuccess, appended.Message);
        var persisted = await appended.Value!.Persisted;
        Assert.True(persisted.IsSuccess, persisted.Message);
        return (persisted.Value, media);
    }

    public static byte[] Media(int seed, int size = 4000)
    {
        var media = new byte[size];
        new Random(seed).NextBytes(media);
        return media;
    }

    public string ChunkFile(FragmentEntry entry, string logClass = "h24") => Path.Combine(Folder, LogLayout.ChunkPath(logClass, entry.ChunkId));

    public byte[] ReadRecord(FragmentEntry entry)
    {
        using var file = File.OpenHandle(ChunkFile(entry));
        var record = new byte[entry.Length];
        RandomAccess.Read(file, record, entry.Offset);
        return record;
    }

    /// <summary>Writes a record's bytes at an entry's position; with <paramref name="fixChecksums"/> the header and body CRCs are recomputed, as a deliberate attacker would.</summary>
    public void WriteRecord(FragmentEntry at, byte[] record, bool fixChecksums)
    {
        if (fixChecksums)
        {
            var body = record.AsSpan(RecordHeader.Size);
            ReadHeaderFields(record, out var type, out var total, out var sequence);
            new RecordHeader(type, total, sequence, Crc32C.Compute(body)).Write(record);
        }

        using var file = File.OpenHandle(ChunkFile(at), FileMode.Open, FileAccess.ReadWrite);
        RandomAccess.Write(file, record, at.Offset);
    }

    /// <summary>Changes a record in place (the store is closed first and reopened after).</summary>
    public void Tamper(FragmentEntry entry, Action<byte[]> change, bool fixChecksums = true)
    {
        Close();
        var record = ReadRecord(entry);
        change(record);
        WriteRecord(entry, record, fixChecksums);
        OpenAgain();
    }

    /// <summary>The header's type, total length and sequence, read without trusting its checksum.</summary>
    public static void ReadHeaderFields(byte[] record, out RecordType type, out int totalLength, out long sequence)
    {
        // Layout (RecordHeader): magic 4, version 2, min version 2, type 1, reserved 1, header length 2, total length 4,
        // sequence 8, body CRC 4, header CRC 4.
        type = (RecordType)record[8];
        totalLength = BitConverter.ToInt32(record, 12);
        sequence = BitConverter.ToInt64(record, 16);
    }

    public static void SetSequence(byte[] record, long sequence) => BitConverter.TryWriteBytes(record.AsSpan(16, 8), sequence);

    /// <summary>Every file of the data folder, bytes and all.</summary>
    public IEnumerable<(string Path, byte[] Bytes)> AllFiles() =>
        Directory.GetFiles(Folder, "*", SearchOption.AllDirectories).Select(p => (p, File.ReadAllBytes(p)));

    public void Dispose()
    {
        Store.Dispose();
        _harness.Dispose();
    }

    public static MasterKeySource KeyFile(string keyId, string path) => new(keyId, MasterKeyLocation.File, path);
}
