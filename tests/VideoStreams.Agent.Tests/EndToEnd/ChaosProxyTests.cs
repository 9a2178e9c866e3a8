using System.Net;
using System.Net.Sockets;

namespace VideoStreams.Agent.Tests.EndToEnd;

/// <summary>The end-to-end tests' proxy does what the fault scenarios say it does.</summary>
public sealed class ChaosProxyTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task It_forwards_cuts_stalls_resumes_and_retargets()
    {
        using var first = new EchoServer();
        using var second = new EchoServer();
        await using var proxy = new ChaosProxy(first.Port);

        using (var client = await ConnectAsync(proxy))
        {
            Assert.Equal("hello", await EchoAsync(client, "hello"));
            proxy.Cut();
            await AssertClosedAsync(client);
        }

        // While cut, new connections are reset at once (the reset may even beat the end of the connect).
        try
        {
            using var refused = await ConnectAsync(proxy);
            await AssertClosedAsync(refused);
        }
        catch (SocketException)
        {
        }

        proxy.Resume();
        using (var client = await ConnectAsync(proxy))
        {
            Assert.Equal("again", await EchoAsync(client, "again"));
            proxy.Stall();
            await client.SendAsync("held"u8.ToArray());
            var buffer = new byte[16];
            using var shortWait = new CancellationTokenSource(TimeSpan.FromMilliseconds(700));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await client.ReceiveAsync(buffer, shortWait.Token));
            Assert.True(client.Connected);
            proxy.Resume();

            // A stalled connection is not brought back: its client has given up on it by now.
            await AssertClosedAsync(client);
        }

        proxy.Retarget(second.Port);
        using (var client = await ConnectAsync(proxy))
        {
            Assert.Equal("there", await EchoAsync(client, "there"));
            Assert.Equal(1, second.Connections);
        }
    }

    private static async Task<Socket> ConnectAsync(ChaosProxy proxy)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, proxy.Url.Port);
        return socket;
    }

    private static async Task<string> EchoAsync(Socket client, string text)
    {
        await client.SendAsync(System.Text.Encoding.ASCII.GetBytes(text));
        var buffer = new byte[text.Length];
        var read = 0;
        using var timeout = new CancellationTokenSource(Patience);
        while (read < buffer.Length)
        {
            var n = await client.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, timeout.Token);
            Assert.True(n > 0, "the proxy closed the connection");
            read += n;
        }

        return System.Text.Encoding.ASCII.GetString(buffer);
    }

    private static async Task AssertClosedAsync(Socket client)
    {
        var buffer = new byte[16];
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            while (await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
            {
            }
        }
        catch (SocketException)
        {
            // Reset: closed, as expected.
        }
    }

    /// <summary>A TCP echo server on 127.0.0.1.</summary>
    private sealed class EchoServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private int _connections;

        public EchoServer()
        {
            _listener.Start();
            _ = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Connections => Volatile.Read(ref _connections);

        public void Dispose() => _listener.Stop();

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var socket = await _listener.AcceptSocketAsync();
                    Interlocked.Increment(ref _connections);
                    _ = EchoAsync(socket);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }

        private static async Task EchoAsync(Socket socket)
        {
            using (socket)
            {
                var buffer = new byte[4096];
                try
                {
                    int read;
                    while ((read = await socket.ReceiveAsync(buffer)) > 0)
                    {
                        await socket.SendAsync(buffer.AsMemory(0, read));
                    }
                }
                catch (SocketException)
                {
                }
            }
        }
    }
}
