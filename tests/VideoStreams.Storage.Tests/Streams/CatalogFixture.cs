using Microsoft.Extensions.Time.Testing;
using VideoStreams.Storage.Index;
using VideoStreams.Storage.Streams;
using VideoStreams.Storage.Tests.Index;

namespace VideoStreams.Storage.Tests.Streams;

/// <summary>
/// The journal seam as the tests use it: an in-memory list of every change, in order, that can be told to fail its
/// next write the way a full or broken disk would.
/// </summary>
internal sealed class RecordingJournal : IStreamJournal
{
    private readonly Lock _gate = new();

    public List<(string Kind, StreamRecord? Stream, long Id)> Entries { get; } = [];

    public bool FailNext { get; set; }

    public void Write(StreamRecord stream) => Record(("write", stream, stream.Id));

    public void WriteDeleted(long streamId) => Record(("deleted", null, streamId));

    private void Record((string Kind, StreamRecord? Stream, long Id) entry)
    {
        lock (_gate)
        {
            if (FailNext)
            {
                FailNext = false;
                throw new IOException("No space left on device");
            }

            Entries.Add(entry);
        }
    }
}

/// <summary>A catalog over a real index file, a recording journal and a fake clock.</summary>
internal sealed class CatalogFixture : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, 123, TimeSpan.Zero);

    private readonly TempFolder _folder = new("vs-catalog-");

    public CatalogFixture()
    {
        Index = new StorageIndex(_folder.File("index.db"));
        Catalog = new StreamCatalog(Index, Journal, Time);
    }

    public FakeTimeProvider Time { get; } = new(Start);

    public RecordingJournal Journal { get; } = new();

    public StorageIndex Index { get; private set; }

    public StreamCatalog Catalog { get; private set; }

    public StreamRecord Create(string name, int retention = 0, IReadOnlyDictionary<string, string>? tags = null)
    {
        var result = Catalog.CreateStream(name, dataRetentionInHours: retention, tags: tags);
        Assert.True(result.IsSuccess, result.Message);
        return result.Value!;
    }

    /// <summary>Closes and reopens the index, with a new catalog over it (as a restart would).</summary>
    public void Reopen()
    {
        Index.Dispose();
        Index = new StorageIndex(_folder.File("index.db"));
        Catalog = new StreamCatalog(Index, Journal, Time);
    }

    public void Dispose()
    {
        Index.Dispose();
        _folder.Dispose();
    }
}
