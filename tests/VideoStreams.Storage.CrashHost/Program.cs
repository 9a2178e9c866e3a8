using System.Security.Cryptography;
using System.Text;
using VideoStreams.Storage;
using VideoStreams.Storage.CrashHost;
using VideoStreams.Storage.Files;
using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Streams;

// Appends fragments of several streams as fast as the store takes them (each stream keeps a window of fragments in
// flight) and prints, one flushed line each:
//   READY                                      the store is open and the streams exist
//   A <number> <stream>                        a fragment was appended (its number was handed out)
//   P <number> <stream> <producerMs> <sha256>  the fragment is PERSISTED
// until it is killed. It runs on the real disk: a SIGKILL keeps the page cache, and that is what this test is about.
var settings = CrashHostSettings.Parse(args);
var output = new LineWriter(Console.OpenStandardOutput());
using var store = FragmentStore.Open(CrashHostSettings.StoreOptions(settings.DataDirectory, settings.ChunkSize), new PhysicalFileSystem(settings.DataDirectory));

var producers = new List<Task>();
var streams = new List<(long Id, long NextProducerMs)>();
for (var i = 0; i < settings.Streams; i++)
{
    var name = CrashHostSettings.StreamName(i);
    var found = store.Streams.Describe(StreamRef.ByName(name));
    var id = found.IsSuccess ? found.Value!.Id : Created(store.Streams.CreateStream(name, dataRetentionInHours: CrashHostSettings.RetentionHours(i)));

    // Producer time carries on after the newest fragment the store kept, so per stream it increases across runs.
    var extent = store.Index.Extent(id, TimestampKind.Producer);
    streams.Add((id, extent is { } e ? e.Last.ProducerTimestampMs + 1000 : 1_700_000_000_000));
}

output.Write("READY");
for (var i = 0; i < streams.Count; i++)
{
    var index = i;
    producers.Add(Task.Run(() => ProduceAsync(index, streams[index].Id, streams[index].NextProducerMs)));
}

await Task.WhenAny(producers);
await Task.WhenAll(producers); // only a failure gets here: it is rethrown, the process exits non-zero.
return 1;

async Task ProduceAsync(int stream, long streamId, long producerMs)
{
    var window = new SemaphoreSlim(settings.Window);
    var sizes = new Random(HashCode.Combine(settings.Seed, stream));
    for (long sequence = 0; ; sequence++, producerMs += 1000)
    {
        await window.WaitAsync();
        var media = CrashContent.Create(stream, settings.Seed, sequence, producerMs, sizes.Next(settings.MinSize, settings.MaxSize + 1));
        var hash = Convert.ToHexString(SHA256.HashData(media));
        var appended = store.Append(streamId, new NewFragment(producerMs, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 1000,
            FragmentFlags.StartsWithKeyframe | FragmentFlags.HasVideo, media));
        if (!appended.IsSuccess)
        {
            throw new InvalidOperationException($"append failed: {appended.Error} {appended.Message}");
        }

        var entry = appended.Value!.Entry;
        output.Write($"A {entry.Number} {stream}");
        var persisted = appended.Value.Persisted;
        var fragmentProducerMs = producerMs;
        _ = persisted.ContinueWith(t =>
        {
            if (!t.Result.IsSuccess)
            {
                Console.Error.WriteLine($"commit failed: {t.Result.Error} {t.Result.Message}");
                Environment.Exit(3);
            }

            output.Write($"P {entry.Number} {stream} {fragmentProducerMs} {hash}");
            window.Release();
        }, TaskScheduler.Default);
    }
}

static long Created(StorageResult<StreamRecord> created) =>
    created.IsSuccess ? created.Value!.Id : throw new InvalidOperationException($"create stream failed: {created.Error} {created.Message}");

/// <summary>One write per line, straight to the pipe, so a line printed is a line the test can read after the kill.</summary>
internal sealed class LineWriter(Stream stdout)
{
    private readonly Lock _lock = new();

    public void Write(string line)
    {
        var bytes = Encoding.ASCII.GetBytes(line + "\n");
        lock (_lock)
        {
            stdout.Write(bytes);
            stdout.Flush();
        }
    }
}
