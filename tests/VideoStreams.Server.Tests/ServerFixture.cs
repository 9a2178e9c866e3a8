using Microsoft.AspNetCore.Builder;
using VideoStreams.Storage.Files;

namespace VideoStreams.Server.Tests;

/// <summary>
/// The real server (the same <c>ServerApp.Build</c> as <c>dotnet run</c>) on Kestrel at 127.0.0.1 with an ephemeral
/// port and a temporary data folder, deleted at the end. Use it as an xunit class or collection fixture and talk to
/// <see cref="BaseUrl"/> over HTTP.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private readonly string[] _extraArgs;
    private readonly Func<string, IStorageFileSystem>? _storageFiles;
    private WebApplication? _app;

    public ServerFixture()
        : this([])
    {
    }

    /// <summary>A server started with more command-line arguments (e.g. <c>--VideoStreams:PublicBaseUrl URL</c>).</summary>
    internal ServerFixture(IEnumerable<string> extraArgs, Func<string, IStorageFileSystem>? storageFiles = null)
    {
        _extraArgs = [.. extraArgs];
        _storageFiles = storageFiles;
        RootDirectory = Path.Combine(Path.GetTempPath(), "vs-server-" + Guid.NewGuid().ToString("N"));
        DataDirectory = Path.Combine(RootDirectory, "data");
        Directory.CreateDirectory(RootDirectory);
    }

    /// <summary>Where the server listens, e.g. http://127.0.0.1:41234/ (changes on <see cref="RestartAsync"/>).</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Every address the server listens on (HTTP and, when configured, HTTPS).</summary>
    public IReadOnlyList<Uri> Urls { get; private set; } = [];

    /// <summary>The running server's services (tests seed the store the server uses through it).</summary>
    internal IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("The server is not running.");

    /// <summary>The server's data folder.</summary>
    public string DataDirectory { get; }

    /// <summary>The temporary folder holding <see cref="DataDirectory"/> and nothing else.</summary>
    public string RootDirectory { get; }

    /// <summary>A client with <see cref="HttpClient.BaseAddress"/> set to <see cref="BaseUrl"/>.</summary>
    public HttpClient CreateClient() => new() { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(30) };

    public Task InitializeAsync() => StartAsync();

    /// <summary>Starts the server on the data folder (again, after <see cref="StopAsync"/>).</summary>
    public async Task StartAsync()
    {
        string[] args =
        [
            "--urls", "http://127.0.0.1:0",
            "--data", DataDirectory,
            "--Logging:LogLevel:Default", "Warning",
            .. _extraArgs,
        ];
        _app = ServerApp.Build(args, _storageFiles);
        await _app.StartAsync();
        Urls = [.. _app.Urls.Select(u => new Uri(u + "/"))];
        BaseUrl = Urls.First(u => u.Scheme == Uri.UriSchemeHttp);
    }

    /// <summary>Stops gracefully (requests in flight finish, the store commits and closes), as on SIGTERM.</summary>
    public async Task StopAsync()
    {
        if (_app is null)
        {
            return;
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    /// <summary>Stops gracefully and starts again on the same data folder.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(RootDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is not worth failing a test run for.
        }
    }
}
