using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace VideoStreams.EndToEnd.Tests.Support;

/// <summary>One hls.js error event as the page recorded it (fatal or not).</summary>
internal sealed record HlsError(string Type, string Details, bool Fatal, string? Reason, string? Url, int? Status, bool DuringSeek)
{
    /// <summary>
    /// hls.js cancelling its own download because the viewer seeked elsewhere: it reports that as a non-fatal ERROR
    /// event with details "aborted" (ErrorDetails.INTERNAL_ABORTED) while the video element is seeking. Nothing the
    /// server did; every other error event, fatal or not, fails the test.
    /// </summary>
    public bool IsOwnAbortOnSeek => Details == "aborted" && !Fatal && DuringSeek;

    /// <summary>
    /// hls.js riding out a timing hiccup, non-fatal: waiting at the live edge for the next part
    /// ("bufferStalledError", "bufferNudgeOnStall") or jumping a gap in the media timeline ("bufferSeekOverHole": the
    /// camera's capture times jumped, e.g. a starved encoder dropped frames). Near the edge of a low-latency stream
    /// whose camera runs on a starved CI machine these are timing, not faults: pages with
    /// <see cref="ViewerPage.ToleratesTimingHiccups"/> log them instead of failing.
    /// </summary>
    public bool IsTimingHiccup => !Fatal && Details is "bufferStalledError" or "bufferNudgeOnStall" or "bufferSeekOverHole";

    public override string ToString() =>
        $"{(Fatal ? "fatal " : "")}{Type}/{Details}{(Status is { } s ? $" HTTP {s}" : "")}{(string.IsNullOrEmpty(Reason) ? "" : $" ({Reason})")}{(string.IsNullOrEmpty(Url) ? "" : $" at {Url}")}";
}

/// <summary>A fragment hls.js started showing (FRAG_CHANGED).</summary>
internal sealed record ShownFragment(JsonElement Sn, double Start, double Duration, double? ProgramDateTime, double At);

/// <summary>What the page shows at one moment.</summary>
internal sealed record ViewerSnapshot(
    double CurrentTime, int VideoWidth, int VideoHeight, bool Paused, int ReadyState, double? PlayingDate,
    bool? PlaylistLive, int PlaylistFragments, double? FirstProgramDateTime,
    IReadOnlyList<HlsError> Errors, IReadOnlyList<ShownFragment> Fragments, IReadOnlyList<double> Seeks, bool ManifestParsed,
    int PartsLoaded, int StripSamples, int StripMisses)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"currentTime {CurrentTime:0.000}, video {VideoWidth}x{VideoHeight}, paused {Paused}, readyState {ReadyState}, "
        + $"playingDate {Date(PlayingDate)}, playlist live={PlaylistLive} with {PlaylistFragments} fragments, "
        + $"fragments shown [{string.Join(", ", Fragments.Select(f => $"{f.Sn}@{f.Start:0.0}s {Date(f.ProgramDateTime)}"))}], "
        + $"parts loaded {PartsLoaded}, strip read on {StripSamples} frame(s) and not on {StripMisses}");

    public static string Date(double? ms) =>
        ms is { } value ? DateTimeOffset.FromUnixTimeMilliseconds((long)value).ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture) : "none";
}

/// <summary>
/// One displayed frame's capture-time strip: capture and display time in epoch ms, the frame's media time in s, and
/// its program date time in epoch ms by the playlist (null when hls.js's playlist no longer holds it).
/// </summary>
internal sealed record StripSample(double Capture, double Display, double MediaTime, double? ProgramTime)
{
    /// <summary>Glass to glass: display time minus capture time, in ms.</summary>
    public double LatencyMs => Display - Capture;
}

/// <summary>Strip samples taken from the page, and how many displayed frames had no readable strip.</summary>
internal sealed record StripSamples(IReadOnlyList<StripSample> Samples, int Misses);

/// <summary>
/// The viewer page (web/viewer.html with hls.js) in a fresh browser context, served from <see cref="Origin"/>, which
/// is not the server's origin: every playlist and segment request is cross-origin, so playing proves CORS too.
/// </summary>
internal sealed class ViewerPage : IAsyncDisposable
{
    public const string Origin = "http://viewer.test";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly IBrowserContext _context;
    private readonly ITestOutputHelper _output;
    private readonly List<string> _console = [];
    private readonly List<string> _requests = [];

    private ViewerPage(IBrowserContext context, IPage page, ITestOutputHelper output)
    {
        _context = context;
        Page = page;
        _output = output;
    }

    public IPage Page { get; }

    /// <summary>The URLs the page requested from anywhere but its own origin (the server), in order.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<ViewerPage> OpenAsync(BrowserFixture browser, ITestOutputHelper output)
    {
        var context = await browser.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var viewer = new ViewerPage(context, page, output);
        page.Console += (_, message) => viewer.Log($"console.{message.Type}: {message.Text}");
        page.PageError += (_, error) => viewer.Log($"page error: {error}");
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(Origin, StringComparison.Ordinal))
            {
                lock (viewer._requests)
                {
                    viewer._requests.Add(request.Url);
                }
            }
        };
        await page.RouteAsync(Origin + "/**", async route =>
        {
            var path = new Uri(route.Request.Url).AbsolutePath;
            var (body, type) = path switch
            {
                "/" => (browser.ViewerHtml, "text/html; charset=utf-8"),
                "/hls.min.js" => (browser.HlsJs, "text/javascript; charset=utf-8"),
                "/strip.js" => (browser.StripJs, "text/javascript; charset=utf-8"),
                _ => (Encoding.UTF8.GetBytes("not here"), "text/plain"),
            };
            await route.FulfillAsync(new RouteFulfillOptions { Status = body.Length > 8 ? 200 : 404, ContentType = type, BodyBytes = body });
        });
        await page.GotoAsync(Origin + "/");
        return viewer;
    }

    /// <summary>Hands the session URL to hls.js; playback starts (muted) once the master playlist is parsed.</summary>
    public Task PlayAsync(Uri sessionUrl) => Page.EvaluateAsync("url => window.startPlayback(url)", sessionUrl.ToString());

    /// <summary>
    /// Plays with hls.js's lowLatencyMode set to <paramref name="lowLatency"/>, reading the capture-time strip of every
    /// displayed frame (<see cref="TakeStripSamplesAsync"/>).
    /// </summary>
    public Task PlayReadingStripAsync(Uri sessionUrl, bool lowLatency) =>
        Page.EvaluateAsync("([url, lowLatency]) => window.startPlayback(url, { lowLatency, strip: true })", new object[] { sessionUrl.ToString(), lowLatency });

    /// <summary>The strip samples of the frames displayed since the last call.</summary>
    public async Task<StripSamples> TakeStripSamplesAsync()
    {
        var text = await Page.EvaluateAsync<string>("() => JSON.stringify(window.takeStripSamples())");
        return JsonSerializer.Deserialize<StripSamples>(text, Json)!;
    }

    /// <summary>The page's strip reader run on a still image (PNG bytes): the capture time, or null when it reads none.</summary>
    public async Task<long?> ReadStripFromImageAsync(byte[] png)
    {
        var url = "data:image/png;base64," + Convert.ToBase64String(png);
        var value = await Page.EvaluateAsync<double?>("url => window.readStripFromImage(url)", url);
        return value is { } v ? (long)v : null;
    }

    /// <summary>Whether a non-fatal stall or hole jump (<see cref="HlsError.IsTimingHiccup"/>) is logged rather than failed on.</summary>
    public bool ToleratesTimingHiccups { get; set; }

    public async Task<ViewerSnapshot> SnapshotAsync()
    {
        var text = await Page.EvaluateAsync<string>("() => JSON.stringify(window.snapshot())");
        return JsonSerializer.Deserialize<ViewerSnapshot>(text, Json)!;
    }

    /// <summary>
    /// Polls the page until <paramref name="done"/> holds. Fails at once on any hls.js error (fatal or not) or media
    /// error, and when <paramref name="timeout"/> passes (generous: a loaded machine is slow, never wrong).
    /// </summary>
    public async Task<ViewerSnapshot> WaitForAsync(string what, Func<ViewerSnapshot, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var snapshot = await SnapshotAsync();
            AssertNoErrors(snapshot, what);
            if (done(snapshot))
            {
                _output.WriteLine($"{what}: {snapshot}");
                foreach (var aborted in snapshot.Errors.Where(e => e.IsOwnAbortOnSeek))
                {
                    _output.WriteLine($"  (hls.js cancelled its own download for the seek: {aborted})");
                }

                foreach (var stall in snapshot.Errors.Where(e => ToleratesTimingHiccups && e.IsTimingHiccup))
                {
                    _output.WriteLine($"  (hls.js rode out a timing hiccup: {stall})");
                }

                return snapshot;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"waiting for {what}: not within {timeout.TotalSeconds:0} s. The page: {snapshot}\n{ConsoleText()}");
            }

            await Task.Delay(250);
        }
    }

    public void AssertNoErrors(ViewerSnapshot snapshot, string what)
    {
        var errors = snapshot.Errors.Where(e => !e.IsOwnAbortOnSeek && !(ToleratesTimingHiccups && e.IsTimingHiccup)).ToList();
        Assert.True(errors.Count == 0,
            $"hls.js reported {errors.Count} error event(s) while waiting for {what}:\n  "
            + string.Join("\n  ", errors) + $"\nThe page: {snapshot}\n{ConsoleText()}");
    }

    private string ConsoleText()
    {
        lock (_console)
        {
            return _console.Count == 0 ? "(nothing on the browser console)" : "browser console:\n" + string.Join("\n", _console.TakeLast(30));
        }
    }

    private void Log(string line)
    {
        lock (_console)
        {
            _console.Add(line);
        }
    }

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}
