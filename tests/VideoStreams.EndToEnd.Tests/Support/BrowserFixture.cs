using Microsoft.Playwright;
using VideoStreams.Server.Tests.SdkHarness;

namespace VideoStreams.EndToEnd.Tests.Support;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright (the driver ships inside the Microsoft.Playwright package; the
/// browser is never downloaded: <see cref="ExecutablePath"/> is the system's), and hls.js from npm (installed with
/// <c>npm ci</c> from web/package-lock.json when node_modules is missing or stale).
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private static readonly NpmFolder Web = new("tests/VideoStreams.EndToEnd.Tests/web", "The browser tests' hls.js");

    private IPlaywright? _playwright;

    /// <summary>The running browser.</summary>
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>hls.js's minified build, as the viewer page loads it.</summary>
    internal byte[] HlsJs { get; private set; } = [];

    /// <summary>The viewer page (web/viewer.html).</summary>
    internal byte[] ViewerHtml { get; private set; } = [];

    /// <summary>The capture-time strip reader the viewer page loads (web/strip.js).</summary>
    internal byte[] StripJs { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(ExecutablePath),
            $"The browser tests need Debian's Chromium at {ExecutablePath} (`bash .ci/setup` installs it; Playwright never downloads a browser here).");
        await Web.PrepareOnceAsync();
        HlsJs = await File.ReadAllBytesAsync(Path.Combine(Web.Folder, "node_modules", "hls.js", "dist", "hls.min.js"));
        ViewerHtml = await File.ReadAllBytesAsync(Path.Combine(Web.Folder, "viewer.html"));
        StripJs = await File.ReadAllBytesAsync(Path.Combine(Web.Folder, "strip.js"));

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                // A muted video may start without a click, as on a real page with autoplay muted.
                "--autoplay-policy=no-user-gesture-required",
                "--mute-audio",
                // Containers: tests often run as root (no sandbox then) with a small /dev/shm.
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                // The viewer page's origin is made up (routed by Playwright), so Chromium counts it as public and, by
                // Private/Local Network Access, would refuse its requests to the server on 127.0.0.1 before CORS is
                // even asked. A deployed page and server are both public; this keeps CORS itself fully enforced.
                "--disable-features=BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,LocalNetworkAccessChecks",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}

/// <summary>The browser tests run one at a time (two cores), sharing one server and one browser.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
