using System.Net;
using System.Net.Sockets;

namespace VideoStreams.Agent.Tests.Faults;

/// <summary>
/// A TCP proxy that sits between a client (the uploader, vs-agent) and a server and breaks the connection on command,
/// the way a flaky uplink does. It listens on 127.0.0.1 with an ephemeral port (<see cref="BaseUrl"/>) and opens one
/// connection to the target per client connection, forwarding bytes both ways.
/// <list type="bullet">
/// <item><see cref="Cut"/>: resets every open connection (RST, as a dropped link looks to both ends) and, optionally,
/// refuses new ones for a while (accepted and reset at once) or until <see cref="Resume"/>.</item>
/// <item><see cref="Stall"/>: keeps every connection open but stops forwarding in both directions (nothing is lost:
/// what was read waits in the proxy, and TCP flow control holds the rest); new connections are accepted and stalled
/// too. <see cref="Resume"/> forwards again.</item>
/// <item><see cref="SetTarget"/>: where new connections go (a restarted server may listen on another port).</item>
/// </list>
/// Thread-safe; every method may be called from any thread at any time. Counters (<see cref="BytesToServer"/>,
/// <see cref="ConnectionsAccepted"/>) let a test wait for traffic before injecting a fault.
/// </summary>
public sealed class TcpFaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _closing = new();
    private readonly Lock _lock = new();
    private readonly HashSet<Link> _links = [];
    private readonly Task _acceptLoop;
    private DnsEndPoint _target;
    private TaskCompletionSource _flowing = Completed();
    private long _refuseUntilTicks;
    private bool _refuseUntilResumed;
    private long _bytesToServer;
    private long _bytesToClient;
    private long _accepted;
    private long _refused;
    private long _cuts;

    /// <summary>Starts listening on 127.0.0.1 (ephemeral port) and forwarding to <paramref name="target"/>'s host and port.</summary>
    public TcpFaultProxy(Uri target)
    {
        _target = EndPointOf(target);
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        BaseUrl = new Uri($"http://127.0.0.1:{Port}/");
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The proxy's port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary><c>http://127.0.0.1:PORT/</c>: give this to the client instead of the server's URL.</summary>
    public Uri BaseUrl { get; }

    /// <summary>Bytes forwarded from clients to the server so far.</summary>
    public long BytesToServer => Interlocked.Read(ref _bytesToServer);

    /// <summary>Bytes forwarded from the server to clients so far.</summary>
    public long BytesToClient => Interlocked.Read(ref _bytesToClient);

    /// <summary>Client connections accepted and forwarded (refused ones not counted).</summary>
    public long ConnectionsAccepted => Interlocked.Read(ref _accepted);

    /// <summary>Client connections reset at once because the proxy was refusing.</summary>
    public long ConnectionsRefused => Interlocked.Read(ref _refused);

    /// <summary>Connections reset by <see cref="Cut"/>.</summary>
    public long ConnectionsCut => Interlocked.Read(ref _cuts);

    /// <summary>Connections open now.</summary>
    public int OpenConnections
    {
        get
        {
            lock (_lock)
            {
                return _links.Count;
            }
        }
    }

    /// <summary>True while <see cref="Stall"/> is in effect.</summary>
    public bool IsStalled
    {
        get
        {
            lock (_lock)
            {
                return !_flowing.Task.IsCompleted;
            }
        }
    }

    /// <summary>Points new connections at another server (open ones keep theirs).</summary>
    public void SetTarget(Uri target)
    {
        lock (_lock)
        {
            _target = EndPointOf(target);
        }
    }

    /// <summary>
    /// Resets every open connection. With <paramref name="refuseFor"/>, new connections are reset at once for that
    /// long; with <see cref="Timeout.InfiniteTimeSpan"/>, until <see cref="Resume"/>.
    /// </summary>
    /// <returns>How many connections were cut.</returns>
    public int Cut(TimeSpan? refuseFor = null)
    {
        List<Link> cut;
        lock (_lock)
        {
            if (refuseFor == Timeout.InfiniteTimeSpan)
            {
                _refuseUntilResumed = true;
            }
            else if (refuseFor is { } duration && duration > TimeSpan.Zero)
            {
                _refuseUntilTicks = Math.Max(_refuseUntilTicks, Environment.TickCount64 + (long)duration.TotalMilliseconds);
            }

            cut = [.. _links];
            _links.Clear();
        }

        foreach (var link in cut)
        {
            link.Reset();
        }

        Interlocked.Add(ref _cuts, cut.Count);
        return cut.Count;
    }

    /// <summary>Stops forwarding in both directions; connections stay open (and new ones are accepted, stalled).</summary>
    public void Stall()
    {
        lock (_lock)
        {
            if (_flowing.Task.IsCompleted)
            {
                _flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>Forwards again after <see cref="Stall"/>, and accepts new connections again after <see cref="Cut"/>.</summary>
    public void Resume()
    {
        TaskCompletionSource flowing;
        lock (_lock)
        {
            flowing = _flowing;
            _refuseUntilResumed = false;
            _refuseUntilTicks = 0;
        }

        flowing.TrySetResult();
    }

    /// <summary>Waits until <see cref="BytesToServer"/> reaches <paramref name="bytes"/> (polling; generous timeout).</summary>
    public async Task WaitForBytesToServerAsync(long bytes, TimeSpan? timeout = null)
    {
        var deadline = Environment.TickCount64 + (long)(timeout ?? TimeSpan.FromSeconds(60)).TotalMilliseconds;
        while (BytesToServer < bytes)
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"the proxy forwarded {BytesToServer} bytes to the server, waited for {bytes}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Stops listening and resets every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        _listener.Stop();
        Resume();
        Cut();
        try
        {
            await _acceptLoop;
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopping.
        }

        _closing.Dispose();
    }

    private static TaskCompletionSource Completed()
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tcs.SetResult();
        return tcs;
    }

    private static DnsEndPoint EndPointOf(Uri target) => new(target.Host, target.Port);

    private Task WhenFlowing()
    {
        lock (_lock)
        {
            return _flowing.Task;
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_closing.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_closing.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = HandleAsync(client);
        }
    }

    private async Task HandleAsync(Socket client)
    {
        client.NoDelay = true;
        DnsEndPoint target;
        lock (_lock)
        {
            target = _target;
            if (_refuseUntilResumed || Environment.TickCount64 < _refuseUntilTicks)
            {
                Interlocked.Increment(ref _refused);
                Link.ResetSocket(client);
                return;
            }
        }

        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
            connectTimeout.CancelAfter(TimeSpan.FromSeconds(10));
            await server.ConnectAsync(target, connectTimeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The server is down: the client sees its connection reset, as it would through a real uplink.
            Link.ResetSocket(server);
            Link.ResetSocket(client);
            return;
        }

        var link = new Link(client, server);
        lock (_lock)
        {
            _links.Add(link);
        }

        Interlocked.Increment(ref _accepted);
        var up = PumpAsync(link, client, server, toServer: true);
        var down = PumpAsync(link, server, client, toServer: false);
        await Task.WhenAll(up, down);
        lock (_lock)
        {
            _links.Remove(link);
        }

        link.Close();
        link.Dispose();
    }

    /// <summary>Copies one direction until EOF or an error; waits while stalled, before reading and before writing.</summary>
    private async Task PumpAsync(Link link, Socket from, Socket to, bool toServer)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                await WhenFlowing().WaitAsync(link.Closed);
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, link.Closed);
                if (read == 0)
                {
                    // Half-close: pass the EOF on, keep the other direction going.
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await WhenFlowing().WaitAsync(link.Closed);
                var sent = 0;
                while (sent < read)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, link.Closed);
                }

                Interlocked.Add(ref toServer ? ref _bytesToServer : ref _bytesToClient, read);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // One side reset or the link was cut: reset both, as a broken path would.
            link.Reset();
        }
    }

    /// <summary>One client connection and its server connection.</summary>
    private sealed class Link(Socket client, Socket server) : IDisposable
    {
        private readonly CancellationTokenSource _closed = new();
        private int _done;

        public CancellationToken Closed => _closed.Token;

        /// <summary>After both pumps ended.</summary>
        public void Dispose() => _closed.Dispose();

        public void Reset()
        {
            if (Interlocked.Exchange(ref _done, 1) == 1)
            {
                return;
            }

            _closed.Cancel();
            ResetSocket(client);
            ResetSocket(server);
        }

        public void Close()
        {
            if (Interlocked.Exchange(ref _done, 1) == 1)
            {
                return;
            }

            _closed.Cancel();
            client.Dispose();
            server.Dispose();
        }

        /// <summary>Closes with RST (linger 0), not FIN: the peer sees "connection reset", not a clean end.</summary>
        public static void ResetSocket(Socket socket)
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Already closed.
            }

            socket.Dispose();
        }
    }
}
