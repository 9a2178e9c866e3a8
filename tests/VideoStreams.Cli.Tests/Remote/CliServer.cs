using VideoStreams.Server.Tests.Crash;
using VideoStreams.Server.Tests.Ingest;

namespace VideoStreams.Cli.Tests.Remote;

/// <summary>
/// The real server as a process on 127.0.0.1 (its own temporary data folder), with stream <see cref="Stream"/> holding
/// <see cref="Seconds"/> one-second fragments of real H.264 sent through a real PutMedia, producer times from
/// <see cref="StartMs"/>. Shared by the tests of the <see cref="CliServerCollection"/>; tests that change streams make their own.
/// </summary>
public sealed class CliServer : IAsyncLifetime
{
    public const string Stream = "cam";
    public const int Seconds = 40;
    public const long StartMs = PutMediaClient.StartMs;

    private readonly string _data = Path.Combine(Path.GetTempPath(), "vs-cli-server-" + Guid.NewGuid().ToString("N"));
    private ServerProcess? _server;

    /// <summary>e.g. http://127.0.0.1:41234/, for vs --server.</summary>
    public string Url => _server!.BaseUrl.ToString();

    public HttpClient CreateClient() => _server!.CreateClient();

    public async Task InitializeAsync()
    {
        _server = await ServerProcess.StartAsync(_data);
        using var http = CreateClient();
        await PutMediaClient.CreateStreamAsync(http, Stream, retentionHours: 24);
        await using var body = new MemoryStream(ProducerMkv.Clusters(Seconds));
        var answer = await http.PutMediaAsync(Stream, body);
        answer.NoErrors();
        Assert.Equal(Seconds, answer.OfType("PERSISTED").Count());
    }

    /// <summary>Runs vs against this server: <c>--server URL</c> added.</summary>
    internal Task<VsRun.Result> VsAsync(params string[] arguments) => VsRun.RunAsync([.. arguments, "--server", Url]);

    /// <summary><see cref="VsAsync"/> that must exit 0 with nothing on stderr.</summary>
    internal async Task<VsRun.Result> SucceedAsync(params string[] arguments)
    {
        var result = await VsAsync(arguments);
        result.AssertSuccess();
        return result;
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is not worth failing a run for.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class CliServerCollection : ICollectionFixture<CliServer>
{
    public const string Name = "vs against a real server";
}
