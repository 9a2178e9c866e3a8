using System.Security.Cryptography;
using VideoStreams.Storage.Files;
using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Tests.Files;

namespace VideoStreams.Storage.Tests.Store;

/// <summary>
/// A store over a temporary data folder (the SQLite index lives there) and a file layer for its logs: the real disk,
/// or a <see cref="SimulatedFileSystem"/> that can lose power.
/// </summary>
internal sealed class StoreHarness : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("vs-store-").FullName;

    public StoreHarness(IStorageFileSystem? files = null, Func<FragmentStoreOptions, FragmentStoreOptions>? configure = null)
    {
        Files = files;
        Configure = configure ?? (o => o);
    }

    public IStorageFileSystem? Files { get; set; }

    public Func<FragmentStoreOptions, FragmentStoreOptions> Configure { get; }

    public string Folder => _folder;

    public FragmentStoreOptions Options => Configure(new FragmentStoreOptions
    {
        DataDirectory = _folder,
        CommitInterval = TimeSpan.FromMilliseconds(2),
    });

    public FragmentStore Open() => FragmentStore.Open(Options, Files ?? new PhysicalFileSystem(_folder));

    /// <summary>Removes the index, as a disk that lost it (or `vs store rebuild-index`) would.</summary>
    public void DeleteIndex()
    {
        foreach (var file in Directory.GetFiles(_folder, "index.db*"))
        {
            File.Delete(file);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public static long CreateStream(FragmentStore store, string name, int retentionHours = 24)
    {
        var created = store.Streams.CreateStream(name, dataRetentionInHours: retentionHours);
        Assert.True(created.IsSuccess, created.Message);
        return created.Value!.Id;
    }

    /// <summary>A fragment with recognisable random media (a fake cluster: the store does not parse media).</summary>
    public static NewFragment Fragment(Random random, long producerMs, int size = 2000, IReadOnlyList<KeyValuePair<string, string>>? tags = null)
    {
        var media = new byte[size];
        random.NextBytes(media);
        return new NewFragment(producerMs, producerMs + 7, 1000, FragmentFlags.StartsWithKeyframe | FragmentFlags.HasVideo, media, tags);
    }

    public static string Hash(ReadOnlySpan<byte> data) => Convert.ToHexString(SHA256.HashData(data));
}
