using Microsoft.Extensions.Time.Testing;
using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Retention;
using VideoStreams.Storage.Streams;
using VideoStreams.Storage.Tests.Files;
using VideoStreams.Storage.Tests.Store;

namespace VideoStreams.Storage.Tests.Retention;

/// <summary>
/// A store over a simulated disk (with hooks) and a real SQLite index, on a fake clock, with its logs and metrics
/// captured: what every retention test starts from. Fragments are stamped with the fake clock's time, as the server
/// stamps them on arrival.
/// </summary>
internal sealed class RetentionFixture : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>No free-space eviction (the simulated disk is huge): tests of expiry alone.</summary>
    public static readonly RetentionOptions AgeOnly = new()
    {
        LowWatermarkBytes = 0,
        LowWatermarkPercent = 0,
        HighWatermarkBytes = 0,
        HighWatermarkPercent = 0,
    };

    private readonly Random _random = new(42);
    private readonly List<RetentionService> _services = [];

    public RetentionFixture(long chunkSize = 16 << 10)
    {
        Files = new HookedFileSystem(new SimulatedFileSystem());
        Harness = new StoreHarness(Files, o => o with { ChunkSize = chunkSize, CommitInterval = TimeSpan.FromMilliseconds(1) });
        Store = Open();
    }

    public FakeTimeProvider Time { get; } = new(Start);

    public HookedFileSystem Files { get; }

    public SimulatedFileSystem Disk => Files.Disk;

    public StoreHarness Harness { get; }

    public FragmentStore Store { get; private set; }

    public CapturingLoggerFactory Logs { get; } = new();

    public TestMeters Meters { get; } = new();

    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    public FragmentStore Open() => FragmentStore.Open(Harness.Options, Files, Time, Logs);

    /// <summary>Closes the store as a crash would (nothing more is committed) and opens the data folder again.</summary>
    public void CrashAndReopen(bool cutPower = false, bool loseIndex = false)
    {
        Store.AbandonForTests();
        if (cutPower)
        {
            Files.CutPower();
        }

        if (loseIndex)
        {
            Harness.DeleteIndex();
        }

        Store = Open();
    }

    public RetentionService Service(RetentionOptions? options = null)
    {
        var service = new RetentionService(Store, options ?? AgeOnly, Time, Logs, Meters);
        _services.Add(service);
        return service;
    }

    public long Stream(string name, int retentionHours) => StoreHarness.CreateStream(Store, name, retentionHours);

    public StreamRecord Describe(string name) => Store.Streams.Describe(StreamRef.ByName(name)).Value!;

    /// <summary>Appends a fragment stamped now and waits until it is PERSISTED.</summary>
    public async Task<(FragmentEntry Entry, byte[] Media)> Persist(long stream, int size = 2000)
    {
        var (appended, media) = Append(stream, size);
        var persisted = await appended.Persisted;
        Assert.True(persisted.IsSuccess, persisted.Message);
        return (persisted.Value, media);
    }

    /// <summary>Appends a fragment stamped now (it must be accepted) without waiting for the commit.</summary>
    public (AppendedFragment Appended, byte[] Media) Append(long stream, int size = 2000)
    {
        var result = TryAppend(stream, size, out var media);
        Assert.True(result.IsSuccess, result.Message);
        return (result.Value!, media);
    }

    public StorageResult<AppendedFragment> TryAppend(long stream, int size, out byte[] media)
    {
        media = new byte[size];
        _random.NextBytes(media);
        var now = NowMs;
        return Store.Append(stream, new NewFragment(now, now, 1000, FragmentFlags.StartsWithKeyframe | FragmentFlags.HasVideo, media));
    }

    /// <summary>
    /// Appends fragments a second apart on the clock until <paramref name="sealedChunks"/> more chunks are sealed; the
    /// last fragment returned is the first of the log's new current chunk.
    /// </summary>
    public async Task<List<FragmentEntry>> FillChunks(long stream, int sealedChunks, int size = 2000)
    {
        var written = new List<FragmentEntry>();
        var before = Store.Chunks().Count(c => c.Sealed);
        while (Store.Chunks().Count(c => c.Sealed) < before + sealedChunks)
        {
            written.Add((await Persist(stream, size)).Entry);
            Time.Advance(TimeSpan.FromSeconds(1));
        }

        return written;
    }

    public bool Readable(long number) => Store.Read(number).IsSuccess;

    /// <summary>The fragment log chunk files on the (simulated) disk, by class.</summary>
    public IReadOnlyList<string> ChunkFiles(string logClass) =>
        Disk.AllFiles().Where(f => f.StartsWith($"logs/{logClass}/", StringComparison.Ordinal)).ToList();

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _services)
        {
            await service.DisposeAsync();
        }

        Store.Dispose();
        Meters.Dispose();
        Harness.Dispose();
    }
}
