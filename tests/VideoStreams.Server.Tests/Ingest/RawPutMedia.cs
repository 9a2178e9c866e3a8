using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace VideoStreams.Server.Tests.Ingest;

/// <summary>
/// A PutMedia written straight onto a TCP socket (HTTP/1.1, chunked body, no Expect), the way embedded producers do
/// it: each write is one HTTP chunk, and the response is read at the same time, so a test can pause the producer and
/// still see every ack as it arrives. (HttpClient over HTTP/1.1 returns the response only after the whole request
/// body is sent; curl reads the response only between reads of its input.)
/// </summary>
internal sealed class RawPutMedia : LivePutMedia
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _network;
    private readonly Task _reading;

    private RawPutMedia(TcpClient tcp)
    {
        _tcp = tcp;
        _network = tcp.GetStream();
        _reading = ReadResponseAsync();
    }

    public static async Task<RawPutMedia> StartAsync(Uri baseUrl, string stream, long startMs = PutMediaClient.StartMs)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(baseUrl.Host, baseUrl.Port);
        var head = "POST /putMedia HTTP/1.1\r\n"
            + $"Host: {baseUrl.Authority}\r\n"
            + "Transfer-Encoding: chunked\r\n"
            + $"x-amzn-stream-name: {stream}\r\n"
            + "x-amzn-fragment-timecode-type: RELATIVE\r\n"
            + $"x-amzn-producer-start-timestamp: {startMs / 1000}.{startMs % 1000:D3}\r\n"
            + "\r\n";
        await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes(head));
        return new RawPutMedia(tcp);
    }

    public override async Task WriteAsync(ReadOnlyMemory<byte> bytes)
    {
        await _network.WriteAsync(Encoding.ASCII.GetBytes($"{bytes.Length:x}\r\n"));
        await _network.WriteAsync(bytes);
        await _network.WriteAsync("\r\n"u8.ToArray());
    }

    protected override async Task CloseBodyAsync() => await _network.WriteAsync("0\r\n\r\n"u8.ToArray());

    protected override async Task CompletedAsync(TimeSpan timeout) => await _reading.WaitAsync(timeout);

    /// <summary>Status line and headers, then the chunked body split into ack lines.</summary>
    private async Task ReadResponseAsync()
    {
        try
        {
            using var reader = new StreamReader(_network, Encoding.ASCII, false, 1, leaveOpen: true);
            var status = await reader.ReadLineAsync();
            Status = (HttpStatusCode)int.Parse(status!.Split(' ')[1], CultureInfo.InvariantCulture);
            var chunked = false;
            while (await reader.ReadLineAsync() is { Length: > 0 } header)
            {
                chunked |= header.Equals("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase);
            }

            Assert.True(chunked, "the acks come as a chunked response");
            var line = new StringBuilder();
            while (await reader.ReadLineAsync() is { } size && int.Parse(size, NumberStyles.HexNumber, CultureInfo.InvariantCulture) is var length && length > 0)
            {
                var data = new char[length];
                await reader.ReadBlockAsync(data);
                await reader.ReadLineAsync();
                foreach (var c in data)
                {
                    if (c == '\n')
                    {
                        Arrived(line.ToString());
                        line.Clear();
                    }
                    else
                    {
                        line.Append(c);
                    }
                }
            }
        }
        catch (IOException)
        {
            // The server closed the connection after the answer.
        }
        finally
        {
            Ended();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        try
        {
            await _reading;
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
