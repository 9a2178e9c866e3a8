using VideoStreams.Agent.Tests.Faults;
using VideoStreams.Producer.Upload;
using VideoStreams.Server.Tests;
using static VideoStreams.Agent.Tests.Upload.UploadTestKit;

namespace VideoStreams.Agent.Tests.Upload;

/// <summary>The server goes away for a few seconds and comes back (its own fixture: it is stopped and restarted).</summary>
public sealed class ServerRestartUploadTests : IAsyncLifetime
{
    private readonly ServerFixture _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task Fragments_spooled_while_the_server_was_down_arrive_after_it_restarts()
    {
        var stream = await CreateStreamAsync(_server.BaseUrl);
        var fragments = await FragmentsAsync(seconds: 12);
        using var spool = new TempSpool();
        await using var proxy = new TcpFaultProxy(_server.BaseUrl);
        await using var uploader = Start(new PutMediaUploader(Options(proxy.BaseUrl, stream), spool.Spool));
        AppendAll(spool.Spool, fragments.Take(4));
        await WaitUntilAsync(() => uploader.Uploader.ReleasedFragments >= 2, "the first fragments to be persisted", uploader.Task);

        // The server stops (gracefully) and is down for a few seconds; the restarted server listens on a new port,
        // which the proxy (standing for the server's stable address) forwards to. The connection is cut first: the
        // server's graceful stop otherwise waits 30 s (the host's shutdown timeout) for the live PutMedia to end.
        proxy.Cut(Timeout.InfiniteTimeSpan);
        await _server.StopAsync();
        AppendAll(spool.Spool, fragments.Skip(4));
        proxy.Resume();
        await WaitUntilAsync(() => proxy.ConnectionsAccepted >= 1 && uploader.Uploader.Reconnects >= 2, "reconnect attempts against the stopped server", uploader.Task);
        await Task.Delay(TimeSpan.FromSeconds(2));
        await _server.StartAsync();
        proxy.SetTarget(_server.BaseUrl);

        await WaitUntilAsync(() => spool.Spool.PendingCount == 0, "the spool to empty", uploader.Task);
        await AssertStoredExactlyOnceAsync(_server.BaseUrl, stream, fragments);
    }
}
