using Microsoft.Extensions.Logging;
using VideoStreams.Agent.Tests.Faults;
using VideoStreams.Producer.Upload;
using VideoStreams.Server.Tests;
using Xunit.Abstractions;
using static VideoStreams.Agent.Tests.Upload.UploadTestKit;

namespace VideoStreams.Agent.Tests.Upload;

/// <summary>The uploader against the real server (in-process Kestrel on 127.0.0.1), over real sockets.</summary>
public sealed class PutMediaUploaderTests(ServerFixture server, ITestOutputHelper output) : IClassFixture<ServerFixture>
{
    private readonly ILoggerFactory _logs = TestLog.Factory(output);

    [Fact]
    public async Task Every_spooled_fragment_is_stored_exactly_once_in_order_and_the_spool_empties()
    {
        var stream = await CreateStreamAsync(server.BaseUrl);
        var fragments = await FragmentsAsync(seconds: 12);
        using var spool = new TempSpool();
        AppendAll(spool.Spool, fragments.Take(6));
        await using var uploader = Start(new PutMediaUploader(Options(server.BaseUrl, stream), spool.Spool, loggerFactory: _logs));

        // Half was spooled before the uploader started (a backlog), half comes live.
        await ProduceLiveAsync(spool.Spool, fragments.Skip(6), TimeSpan.FromMilliseconds(100));
        await WaitUntilAsync(() => spool.Spool.PendingCount == 0, "the spool to empty", uploader.Task);

        await AssertStoredExactlyOnceAsync(server.BaseUrl, stream, fragments);
        Assert.Equal(fragments.Count, uploader.Uploader.ReleasedFragments);
        Assert.Equal(0, uploader.Uploader.SkippedFragments);
        Assert.Equal(1, uploader.Uploader.SessionsStarted);
    }

    [Fact]
    public async Task Three_cuts_mid_stream_lose_nothing_and_duplicate_nothing()
    {
        var stream = await CreateStreamAsync(server.BaseUrl);
        var fragments = await FragmentsAsync(seconds: 24);
        using var spool = new TempSpool();
        await using var proxy = new TcpFaultProxy(server.BaseUrl);
        await using var uploader = Start(new PutMediaUploader(Options(proxy.BaseUrl, stream), spool.Spool, loggerFactory: _logs));
        var producing = ProduceLiveAsync(spool.Spool, fragments, TimeSpan.FromMilliseconds(150));

        var perFragment = fragments.Average(f => f.Size);
        for (var cut = 1; cut <= 3; cut++)
        {
            // Wait for a few more fragments' worth of bytes, so each cut lands in the middle of streaming.
            await proxy.WaitForBytesToServerAsync(proxy.BytesToServer + (long)(perFragment * 4));
            Assert.True(proxy.Cut(TimeSpan.FromMilliseconds(500)) >= 1, "a PutMedia connection was open to cut");
        }

        await producing;
        await WaitUntilAsync(() => spool.Spool.PendingCount == 0, "the spool to empty", uploader.Task);

        await AssertStoredExactlyOnceAsync(server.BaseUrl, stream, fragments);
        Assert.True(uploader.Uploader.SessionsStarted >= 4, $"sessions: {uploader.Uploader.SessionsStarted}");
        Assert.True(uploader.Uploader.Reconnects >= 3, $"reconnects: {uploader.Uploader.Reconnects}");
    }

    [Fact]
    public async Task A_stalled_connection_is_abandoned_after_the_stall_timeout_and_a_new_session_delivers_everything()
    {
        var stream = await CreateStreamAsync(server.BaseUrl);
        var fragments = await FragmentsAsync(seconds: 12);
        using var spool = new TempSpool();
        await using var proxy = new TcpFaultProxy(server.BaseUrl);
        var options = Options(proxy.BaseUrl, stream) with { StallTimeout = TimeSpan.FromSeconds(2) };
        await using var uploader = Start(new PutMediaUploader(options, spool.Spool, loggerFactory: _logs));
        AppendAll(spool.Spool, fragments.Take(4));
        await WaitUntilAsync(() => uploader.Uploader.ReleasedFragments >= 2, "the first fragments to be persisted", uploader.Task);

        proxy.Stall();
        AppendAll(spool.Spool, fragments.Skip(4));
        await WaitUntilAsync(() => uploader.Uploader.Stalls >= 1, "the uploader to notice the stall", uploader.Task);
        Assert.True(proxy.OpenConnections >= 1, "the stall kept the connection open (it was not cut)");
        proxy.Resume();

        await WaitUntilAsync(() => spool.Spool.PendingCount == 0, "the spool to empty", uploader.Task);
        await AssertStoredExactlyOnceAsync(server.BaseUrl, stream, fragments);
        Assert.True(uploader.Uploader.SessionsStarted >= 2, $"sessions: {uploader.Uploader.SessionsStarted}");
    }

    [Fact]
    public async Task An_unknown_stream_stops_the_uploader_with_a_fatal_error_naming_the_stream()
    {
        var fragments = await FragmentsAsync(seconds: 2);
        using var spool = new TempSpool();
        AppendAll(spool.Spool, fragments);
        await using var uploader = new PutMediaUploader(Options(server.BaseUrl, "no-such-stream-here"), spool.Spool);

        var error = await Assert.ThrowsAsync<UploadFatalException>(() => uploader.RunAsync(CancellationToken.None).WaitAsync(Patience));

        Assert.Equal(404, error.StatusCode);
        Assert.Equal("ResourceNotFoundException", error.ErrorType);
        Assert.Contains("no-such-stream-here", error.Message, StringComparison.Ordinal);
        Assert.Equal(fragments.Count, spool.Spool.PendingCount);
    }

    [Fact]
    public async Task A_retention_0_stream_with_acknowledge_on_received_releases_each_fragment_on_RECEIVED()
    {
        var stream = await CreateStreamAsync(server.BaseUrl, retentionHours: 0);
        var fragments = await FragmentsAsync(seconds: 6);
        using var spool = new TempSpool();
        AppendAll(spool.Spool, fragments);
        var options = Options(server.BaseUrl, stream) with { AcknowledgeOnReceived = true };
        await using var uploader = Start(new PutMediaUploader(options, spool.Spool, loggerFactory: _logs));

        await WaitUntilAsync(() => spool.Spool.PendingCount == 0, "the spool to empty", uploader.Task);

        Assert.Equal(fragments.Count, uploader.Uploader.ReleasedFragments);
        Assert.Equal(0, uploader.Uploader.Stalls);
        Assert.Equal(1, uploader.Uploader.SessionsStarted);
    }

    [Fact]
    public async Task A_new_stream_header_starts_a_new_session_and_both_fragment_sets_are_stored()
    {
        var stream = await CreateStreamAsync(server.BaseUrl);
        // Two encodings of different sizes: different SPS, so the fragmenter gives the second a new stream header.
        var first = await FragmentsAsync(seconds: 4, size: "320x240");
        var second = await FragmentsAsync(seconds: 4, originMs: OriginMs + 10_000, size: "160x120", firstSequence: first[^1].SequenceNumber + 1);
        Assert.False(first[0].Header.Span.SequenceEqual(second[0].Header.Span));
        using var spool = new TempSpool();
        AppendAll(spool.Spool, first);
        AppendAll(spool.Spool, second);
        await using var uploader = Start(new PutMediaUploader(Options(server.BaseUrl, stream), spool.Spool, loggerFactory: _logs));

        await WaitUntilAsync(() => spool.Spool.PendingCount == 0, "the spool to empty", uploader.Task);

        await AssertStoredExactlyOnceAsync(server.BaseUrl, stream, [.. first, .. second]);
        Assert.Equal(2, uploader.Uploader.SessionsStarted);
        Assert.Equal(0, uploader.Uploader.Reconnects);
    }

    [Fact]
    public async Task A_fragment_the_server_refuses_as_invalid_is_skipped_and_the_rest_arrive()
    {
        var stream = await CreateStreamAsync(server.BaseUrl);
        var fragments = await FragmentsAsync(seconds: 8);
        var broken = InvalidFragments.WithUndeclaredTrack(fragments[3]);
        using var spool = new TempSpool();
        AppendAll(spool.Spool, [.. fragments[..3], broken, .. fragments[4..]]);
        var skipped = new List<FragmentSkippedEventArgs>();
        await using var running = new PutMediaUploader(Options(server.BaseUrl, stream), spool.Spool, loggerFactory: _logs);
        running.FragmentSkipped += (_, e) => skipped.Add(e);
        await using var uploader = Start(running);

        await WaitUntilAsync(() => spool.Spool.PendingCount == 0, "the spool to empty", uploader.Task);

        await AssertStoredExactlyOnceAsync(server.BaseUrl, stream, [.. fragments[..3], .. fragments[4..]]);
        var skip = Assert.Single(skipped);
        Assert.Equal(broken.SequenceNumber, skip.SequenceNumber);
        Assert.Equal(4010, skip.ErrorId);
        Assert.Equal(1, uploader.Uploader.SkippedFragments);
    }

    [Fact]
    public async Task A_graceful_stop_waits_for_the_acks_of_what_was_sent()
    {
        var stream = await CreateStreamAsync(server.BaseUrl);
        var fragments = await FragmentsAsync(seconds: 6);
        using var spool = new TempSpool();
        var options = Options(server.BaseUrl, stream) with { MaxFragmentsInFlight = 16 };
        var uploader = Start(new PutMediaUploader(options, spool.Spool, loggerFactory: _logs));
        try
        {
            AppendAll(spool.Spool, fragments);
            await WaitUntilAsync(() => uploader.Uploader.ReleasedFragments >= 1, "a first PERSISTED", uploader.Task);
            await uploader.StopAsync();
        }
        finally
        {
            await uploader.DisposeAsync();
        }

        // Whatever was stored was released: a restart will not resend it.
        var stored = await ListProducerTimestampsAsync(server.BaseUrl, stream);
        var pending = new HashSet<long>(spool.Spool.PendingSequenceNumbers());
        Assert.Equal(fragments.Where(f => !pending.Contains(f.SequenceNumber)).Select(f => f.TimestampMs), stored);
    }

    [Fact]
    public async Task Signed_sessions_are_accepted_and_deliver_everything()
    {
        var stream = await CreateStreamAsync(server.BaseUrl);
        var fragments = await FragmentsAsync(seconds: 3);
        using var spool = new TempSpool();
        AppendAll(spool.Spool, fragments);
        var options = Options(server.BaseUrl, stream) with { Credentials = new KvsCredentials("AKIDEXAMPLE", "secret", "token") };
        await using var uploader = Start(new PutMediaUploader(options, spool.Spool, loggerFactory: _logs));

        await WaitUntilAsync(() => spool.Spool.PendingCount == 0, "the spool to empty", uploader.Task);

        await AssertStoredExactlyOnceAsync(server.BaseUrl, stream, fragments);
    }
}
