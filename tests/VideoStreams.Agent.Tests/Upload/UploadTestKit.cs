using System.Diagnostics;
using System.Text;
using System.Text.Json;
using VideoStreams.Producer;
using VideoStreams.Producer.Fragmenting;
using VideoStreams.Producer.Spool;
using VideoStreams.Producer.Tests.Fragmenting;
using VideoStreams.Producer.Upload;

namespace VideoStreams.Agent.Tests.Upload;

/// <summary>A spool in a temporary folder, deleted on dispose.</summary>
internal sealed class TempSpool : IDisposable
{
    public TempSpool()
    {
        Folder = Path.Combine(Path.GetTempPath(), "vs-upload-spool-" + Guid.NewGuid().ToString("N"));
        Spool = FragmentSpool.Open(new SpoolOptions { Directory = Folder, Name = "upload-test", SyncMode = SpoolSyncMode.None });
    }

    public string Folder { get; }

    public FragmentSpool Spool { get; }

    public void Dispose()
    {
        Spool.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is not worth failing a test for.
        }
    }
}

/// <summary>What the tests share: fragments from real H.264, the stream on the server, ListFragments, waiting.</summary>
internal static class UploadTestKit
{
    /// <summary>A fixed wall-clock origin (2026-01-01T00:00:00Z): ABSOLUTE epoch-ms timestamps.</summary>
    public const long OriginMs = 1_767_225_600_000;

    /// <summary>Generous: the machine is shared and loaded; nothing is asserted about how long things take.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    /// <summary>Fragments of about 1 s from <paramref name="seconds"/> s of 320x240 30 fps H.264 (a key frame every second).</summary>
    public static async Task<List<ProducerFragment>> FragmentsAsync(int seconds, long originMs = OriginMs, string size = "320x240", long firstSequence = 0)
    {
        var units = await H264TestStreams.EncodeAsync(frames: (seconds * 30) + 1, size: size);
        using var fragmenter = new Fragmenter(new FragmenterOptions
        {
            FragmentDuration = TimeSpan.FromSeconds(1),
            FirstSequenceNumber = firstSequence,
            FrameRate = 30,
        });
        var fragments = new List<ProducerFragment>();
        for (var i = 0; i < units.Count; i++)
        {
            if (fragmenter.Add(units[i], originMs + (i * 1000L / 30), AccessUnitFormat.AnnexB) is { } fragment)
            {
                fragments.Add(fragment);
            }
        }

        // The last frame is left out (it would make a one-frame fragment): every fragment is a whole second.
        return fragments;
    }

    public static void AppendAll(FragmentSpool spool, IEnumerable<ProducerFragment> fragments)
    {
        foreach (var fragment in fragments)
        {
            Assert.Equal(SpoolAppendStatus.Appended, spool.Append(fragment).Status);
        }
    }

    /// <summary>Appends the fragments one by one with a pause between them, like a camera producing live.</summary>
    public static async Task ProduceLiveAsync(FragmentSpool spool, IEnumerable<ProducerFragment> fragments, TimeSpan interval, CancellationToken cancellationToken = default)
    {
        foreach (var fragment in fragments)
        {
            Assert.Equal(SpoolAppendStatus.Appended, spool.Append(fragment).Status);
            await Task.Delay(interval, cancellationToken);
        }
    }

    public static UploaderOptions Options(Uri endpoint, string stream) => new()
    {
        Endpoint = endpoint,
        StreamName = stream,
        StallTimeout = TimeSpan.FromSeconds(5),
        MinBackoff = TimeSpan.FromMilliseconds(100),
        MaxBackoff = TimeSpan.FromSeconds(1),
        MaxFragmentsInFlight = 4,
    };

    public static async Task<string> CreateStreamAsync(Uri server, int retentionHours = 1)
    {
        var name = "upload-" + Guid.NewGuid().ToString("N")[..12];
        using var client = new KvsStreamClient(server);
        await client.CreateStreamAsync(name, retentionHours, "video/h264", "upload-test");
        return name;
    }

    /// <summary>Producer timestamps (epoch ms) of every fragment ListFragments shows, in producer-timestamp order.</summary>
    public static async Task<List<long>> ListProducerTimestampsAsync(Uri server, string stream)
    {
        using var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        var all = new List<long>();
        string? token = null;
        do
        {
            object request = token is null
                ? new
                {
                    StreamName = stream,
                    MaxResults = 1000,
                    FragmentSelector = new { FragmentSelectorType = "PRODUCER_TIMESTAMP", TimestampRange = new { StartTimestamp = 0, EndTimestamp = 4e9 } },
                }
                : new { StreamName = stream, MaxResults = 1000, NextToken = token };
            using var content = new StringContent(JsonSerializer.Serialize(request), Encoding.UTF8, "application/json");
            using var response = await http.PostAsync("listFragments", content);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"ListFragments answered {(int)response.StatusCode}: {text}");
            using var json = JsonDocument.Parse(text);
            all.AddRange(json.RootElement.GetProperty("Fragments").EnumerateArray()
                .Select(f => (long)Math.Round(f.GetProperty("ProducerTimestamp").GetDouble() * 1000)));
            token = json.RootElement.TryGetProperty("NextToken", out var next) ? next.GetString() : null;
        }
        while (token is not null);

        all.Sort();
        return all;
    }

    /// <summary>Asserts that the stream holds exactly these fragments, each once, in order.</summary>
    public static async Task AssertStoredExactlyOnceAsync(Uri server, string stream, IEnumerable<ProducerFragment> fragments)
    {
        var stored = await ListProducerTimestampsAsync(server, stream);
        Assert.Equal(fragments.Select(f => f.TimestampMs).Order(), stored);
    }

    /// <summary>Polls <paramref name="condition"/> until true; fails with <paramref name="what"/> after <see cref="Patience"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, Task? failFast = null)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (failFast is { IsCompleted: true })
            {
                await failFast; // surfaces the uploader's exception
                Assert.Fail($"the uploader stopped before {what}");
            }

            Assert.True(clock.Elapsed < Patience, $"timed out waiting for {what}");
            await Task.Delay(25);
        }
    }

    /// <summary>Runs the uploader in the background; dispose stops it gracefully and waits for it.</summary>
    public static RunningUploader Start(PutMediaUploader uploader) => new(uploader);
}

/// <summary>An uploader running in the background.</summary>
internal sealed class RunningUploader : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();

    public RunningUploader(PutMediaUploader uploader)
    {
        Uploader = uploader;
        Task = Task.Run(() => uploader.RunAsync(_stop.Token));
    }

    public PutMediaUploader Uploader { get; }

    public Task Task { get; }

    /// <summary>Graceful stop; rethrows what RunAsync threw.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WaitAsync(UploadTestKit.Patience);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WaitAsync(UploadTestKit.Patience);
        }
        catch (Exception e) when (e is UploadFatalException or TimeoutException)
        {
            // Already asserted (or failing) in the test.
        }

        await Uploader.DisposeAsync();
        _stop.Dispose();
    }
}
