using System.Net;
using System.Net.Sockets;

namespace VideoStreams.Agent.Tests.EndToEnd;

/// <summary>
/// A TCP proxy on 127.0.0.1 between the agent and the server that the end-to-end tests break on purpose:
/// <see cref="Cut"/> resets every connection and refuses new ones (a link down), <see cref="Stall"/> keeps the
/// connections open but forwards nothing (a black hole: no FIN, no RST, the kind of fault only a stall timeout
/// finds), <see cref="Resume"/> heals, and <see cref="Retarget"/> points new connections at another upstream port
/// (a server restarted on a new port). Refused and cut connections are reset (SO_LINGER 0), as a dead path is.
/// </summary>
internal sealed class ChaosProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly List<Link> _links = [];
    private readonly Task _accepting;
    private int _upstreamPort;
    private Mode _mode = Mode.Forward;
    private TaskCompletionSource _unstalled = NewGate();

    public ChaosProxy(int upstreamPort)
    {
        _upstreamPort = upstreamPort;
        _listener.Start();
        _accepting = AcceptLoopAsync();
    }

    private enum Mode
    {
        Forward,
        Refuse,
        Stall,
    }

    /// <summary>Where the agent connects.</summary>
    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>Connections accepted so far (forwarded, refused or stalled).</summary>
    public int Accepted { get; private set; }

    /// <summary>New connections go to this upstream port from now on.</summary>
    public void Retarget(int upstreamPort)
    {
        lock (_lock)
        {
            _upstreamPort = upstreamPort;
        }
    }

    /// <summary>Resets every open connection and refuses new ones until <see cref="Resume"/>.</summary>
    public void Cut()
    {
        List<Link> links;
        lock (_lock)
        {
            _mode = Mode.Refuse;
            links = [.. _links];
            _links.Clear();
        }

        foreach (var link in links)
        {
            link.Reset();
        }
    }

    /// <summary>Stops forwarding bytes on every connection, open or new, without closing any, until <see cref="Resume"/>.</summary>
    public void Stall()
    {
        lock (_lock)
        {
            _mode = Mode.Stall;
        }
    }

    /// <summary>
    /// Back to forwarding. Connections held through a stall are reset: their client has given up on them by now (and
    /// a healed path would not bring back a socket the far end closed).
    /// </summary>
    public void Resume()
    {
        List<Link> stalled;
        lock (_lock)
        {
            var wasStalled = _mode == Mode.Stall;
            _mode = Mode.Forward;
            stalled = wasStalled ? [.. _links] : [];
            if (wasStalled)
            {
                _links.Clear();
            }

            _unstalled.TrySetResult();
            _unstalled = NewGate();
        }

        foreach (var link in stalled)
        {
            link.Reset();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Cut();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private static TaskCompletionSource NewGate() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Accepted++;
            _ = HandleAsync(client);
        }
    }

    private async Task HandleAsync(Socket client)
    {
        Mode mode;
        int port;
        lock (_lock)
        {
            mode = _mode;
            port = _upstreamPort;
        }

        if (mode == Mode.Refuse)
        {
            Link.Reset(client);
            return;
        }

        var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, port, _stop.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            // The server is down: the client sees its connection reset, as it would without the proxy (refused).
            Link.Reset(client);
            upstream.Dispose();
            return;
        }

        var link = new Link(client, upstream);
        bool added;
        lock (_lock)
        {
            added = _mode != Mode.Refuse;
            if (added)
            {
                _links.Add(link);
            }
        }

        if (!added)
        {
            link.Reset();
            link.Dispose();
            return;
        }

        await Task.WhenAll(PumpAsync(link, client, upstream), PumpAsync(link, upstream, client));
        lock (_lock)
        {
            _links.Remove(link);
        }

        link.Reset();
        link.Dispose();
    }

    private async Task PumpAsync(Link link, Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, link.Closed);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                // A stall holds the bytes just read (and everything behind them) until the proxy resumes or the link dies.
                while (true)
                {
                    Task gate;
                    lock (_lock)
                    {
                        if (_mode != Mode.Stall)
                        {
                            break;
                        }

                        gate = _unstalled.Task;
                    }

                    await gate.WaitAsync(link.Closed);
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, link.Closed);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            link.Reset();
        }
    }

    private sealed class Link(Socket client, Socket upstream) : IDisposable
    {
        private readonly CancellationTokenSource _closed = new();
        private int _reset;

        public CancellationToken Closed => _closed.Token;

        public static void Reset(Socket socket)
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }

        public void Reset()
        {
            if (Interlocked.Exchange(ref _reset, 1) == 1)
            {
                return;
            }

            _closed.Cancel();
            Reset(client);
            Reset(upstream);
        }

        /// <summary>Only after <see cref="Reset()"/>, which makes every later Reset a no-op.</summary>
        public void Dispose() => _closed.Dispose();
    }
}
