using System.Text.Json;
using Microsoft.Playwright;

namespace VideoStreams.Benchmarks.Latency;

/// <summary>
/// Headless Debian Chromium (Playwright with <c>ExecutablePath=/usr/bin/chromium</c>; no browser is downloaded) with the
/// browser tests' viewer page (tests/VideoStreams.EndToEnd.Tests/web: viewer.html, strip.js, and hls.js from its
/// node_modules, installed by latency-bench.sh with <c>npm ci</c>). Each viewer is a page in its own context, served
/// from a made-up origin as in the browser tests; it plays with hls.js's lowLatencyMode and reads the capture-time strip
/// of every frame it displays.
/// </summary>
internal sealed class BrowserViewers : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";
    private const string Origin = "http://viewer.test";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly byte[] _html;
    private readonly byte[] _hls;
    private readonly byte[] _strip;

    private BrowserViewers(IPlaywright playwright, IBrowser browser, string web)
    {
        _playwright = playwright;
        _browser = browser;
        _html = File.ReadAllBytes(Path.Combine(web, "viewer.html"));
        _strip = File.ReadAllBytes(Path.Combine(web, "strip.js"));
        _hls = File.ReadAllBytes(Path.Combine(web, "node_modules", "hls.js", "dist", "hls.min.js"));
    }

    public static async Task<BrowserViewers> LaunchAsync(string web)
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                "--autoplay-policy=no-user-gesture-required",
                "--mute-audio",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                // The page's made-up public origin calls a loopback server (see the browser tests' BrowserFixture).
                "--disable-features=BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,LocalNetworkAccessChecks",
                // Background pages (several viewers at once) must not be throttled: each must render as if in view.
                "--disable-background-timer-throttling",
                "--disable-renderer-backgrounding",
                "--disable-backgrounding-occluded-windows",
            ],
        });
        return new BrowserViewers(playwright, browser, web);
    }

    /// <summary>
    /// Opens a page and starts playing <paramref name="sessionUrl"/>, reading the strip of each displayed frame; with
    /// <paramref name="maxLiveSyncPlaybackRate"/> above 1, hls.js plays up to that fast to get back to its target latency.
    /// </summary>
    public async Task<BrowserViewer> PlayAsync(string name, Uri sessionUrl, double maxLiveSyncPlaybackRate = 1)
    {
        var context = await _browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var viewer = new BrowserViewer(name, context, page);
        await page.RouteAsync(Origin + "/**", async route =>
        {
            var (body, type) = new Uri(route.Request.Url).AbsolutePath switch
            {
                "/" => (_html, "text/html; charset=utf-8"),
                "/hls.min.js" => (_hls, "text/javascript; charset=utf-8"),
                "/strip.js" => (_strip, "text/javascript; charset=utf-8"),
                _ => ([], "text/plain"),
            };
            await route.FulfillAsync(new RouteFulfillOptions { Status = body.Length > 0 ? 200 : 404, ContentType = type, BodyBytes = body });
        });
        await page.GotoAsync(Origin + "/");
        await page.EvaluateAsync("([url, rate]) => window.startPlayback(url, { lowLatency: true, strip: true, hlsConfig: { maxLiveSyncPlaybackRate: rate } })",
            new object[] { sessionUrl.ToString(), maxLiveSyncPlaybackRate });
        return viewer;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.CloseAsync();
        _playwright.Dispose();
    }
}

/// <summary>One page playing one session.</summary>
internal sealed class BrowserViewer : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly IBrowserContext _context;
    private readonly List<string> _requests = [];
    private readonly List<string> _console = [];

    public BrowserViewer(string name, IBrowserContext context, IPage page)
    {
        Name = name;
        _context = context;
        Page = page;
        page.Request += (_, request) =>
        {
            lock (_requests)
            {
                _requests.Add(request.Url);
            }
        };
        page.Console += (_, message) =>
        {
            lock (_console)
            {
                _console.Add($"{message.Type}: {message.Text}");
            }
        };
    }

    public string Name { get; }

    public IPage Page { get; }

    /// <summary>Every URL the page requested so far, in order.</summary>
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

    /// <summary>The frames displayed since the last call.</summary>
    public async Task<FrameSamples> TakeAsync()
    {
        var text = await Page.EvaluateAsync<string>("() => JSON.stringify(window.takeStripSamples())");
        return JsonSerializer.Deserialize<FrameSamples>(text, Json)!;
    }

    /// <summary>hls.js errors and media errors the page recorded (fatal or not), one line each.</summary>
    public async Task<IReadOnlyList<string>> ErrorsAsync()
    {
        var text = await Page.EvaluateAsync<string>("() => JSON.stringify(window.viewer.errors.map(e => `${e.fatal ? 'fatal ' : ''}${e.type}/${e.details} ${e.reason ?? ''} ${e.url ?? ''}`))");
        return JsonSerializer.Deserialize<string[]>(text, Json)!;
    }

    /// <summary>The page's state in one line, for progress and failure messages.</summary>
    public Task<string> StateAsync() => Page.EvaluateAsync<string>(
        "() => { const s = window.snapshot(); return `currentTime ${s.currentTime.toFixed(2)}, readyState ${s.readyState}, paused ${s.paused}, parts loaded ${s.partsLoaded}, errors ${s.errors.length}`; }");

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}
