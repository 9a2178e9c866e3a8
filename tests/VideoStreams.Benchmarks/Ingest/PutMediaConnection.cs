using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace VideoStreams.Benchmarks.Ingest;

internal enum AckType
{
    Other,
    Buffering,
    Received,
    Persisted,
    Error,
    Idle,
}

/// <summary>One PutMedia ack, with the moment its line was received (Stopwatch ticks).</summary>
internal readonly record struct Ack(AckType Type, long Timecode, int ErrorId, string? FragmentNumber, long ReceivedTicks);

/// <summary>Where a connection's acks go; called on the connection's receive continuation.</summary>
internal interface IAckSink
{
    void OnAck(int stream, in Ack ack);

    void OnEnded(int stream, int status, string? problem);
}

/// <summary>
/// One PutMedia over a raw socket, as cheap as a camera can be: the request line and headers once, then each send is
/// one HTTP chunk (size line, payload, CRLF) written straight from one reusable buffer, and a receive loop parses the
/// ack lines with Utf8JsonReader. No HttpClient: at 1,000 streams × 30 frames/s the generator shares the 2 cores with
/// the server, so it must cost as little as possible per frame (no allocation, one send call per frame).
/// </summary>
internal sealed class PutMediaConnection : IBodySink, IDisposable
{
    private const int Reserve = 10; // room for the chunk-size line (up to 8 hex digits + CRLF) before the payload

    private readonly Socket _socket;
    private readonly byte[] _send;
    private readonly byte[] _receive = new byte[8192];
    private readonly byte[] _line = new byte[2048];
    private readonly ChunkedResponse _response = new();
    private readonly IAckSink _sink;
    private readonly bool _keepNumbers;
    private int _lineLength;

    private PutMediaConnection(Socket socket, int index, int maxPayload, IAckSink sink, bool keepNumbers)
    {
        _socket = socket;
        Index = index;
        _send = new byte[Reserve + maxPayload + 2];
        _sink = sink;
        _keepNumbers = keepNumbers;
    }

    public int Index { get; }

    /// <summary>Completes when the response has ended (the server sends its last ack, then the final chunk).</summary>
    public Task Receiving { get; private set; } = Task.CompletedTask;

    /// <summary>Where the caller puts the next chunk's payload (then calls <see cref="SendChunkAsync"/>).</summary>
    public Span<byte> Payload => _send.AsSpan(Reserve, _send.Length - Reserve - 2);

    public Memory<byte> PayloadMemory => _send.AsMemory(Reserve, _send.Length - Reserve - 2);

    public static async Task<PutMediaConnection> OpenAsync(IPEndPoint server, string stream, long producerStartMs, int maxPayload,
        IAckSink sink, int index, bool keepNumbers = false, string path = "/putMedia")
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server);
        var connection = new PutMediaConnection(socket, index, maxPayload, sink, keepNumbers);
        var start = string.Create(CultureInfo.InvariantCulture, $"{producerStartMs / 1000}.{producerStartMs % 1000:D3}");
        var request = Encoding.ASCII.GetBytes(
            $"POST {path} HTTP/1.1\r\nHost: {server}\r\nTransfer-Encoding: chunked\r\nContent-Type: application/octet-stream\r\n"
            + $"x-amzn-stream-name: {stream}\r\nx-amzn-fragment-timecode-type: RELATIVE\r\nx-amzn-producer-start-timestamp: {start}\r\n\r\n");
        await socket.SendAsync(request, SocketFlags.None);
        connection.Receiving = Task.Run(connection.ReceiveLoopAsync);
        return connection;
    }

    /// <summary>Sends the first <paramref name="length"/> bytes of <see cref="Payload"/> as one chunk.</summary>
    public ValueTask<int> SendChunkAsync(int length)
    {
        Span<byte> size = stackalloc byte[8];
        length.TryFormat(size, out var digits, "x", CultureInfo.InvariantCulture);
        var start = Reserve - digits - 2;
        size[..digits].CopyTo(_send.AsSpan(start));
        _send[Reserve - 2] = (byte)'\r';
        _send[Reserve - 1] = (byte)'\n';
        _send[Reserve + length] = (byte)'\r';
        _send[Reserve + length + 1] = (byte)'\n';
        return _socket.SendAsync(_send.AsMemory(start, Reserve - start + length + 2), SocketFlags.None);
    }

    /// <summary>The last chunk: the body ends, the server sends the remaining acks and ends the response.</summary>
    public ValueTask<int> SendEndAsync(CancellationToken cancel = default) => _socket.SendAsync("0\r\n\r\n"u8.ToArray().AsMemory(), SocketFlags.None, cancel);

    public void Dispose() => _socket.Dispose();

    private async Task ReceiveLoopAsync()
    {
        string? problem = null;
        try
        {
            while (true)
            {
                var read = await _socket.ReceiveAsync(_receive, SocketFlags.None);
                if (read == 0)
                {
                    problem = _response.Done ? null : "connection closed before the response ended";
                    break;
                }

                if (!_response.Feed(_receive.AsSpan(0, read), this, Stopwatch.GetTimestamp()))
                {
                    break;
                }
            }
        }
        catch (SocketException e)
        {
            problem = e.Message;
        }
        catch (ObjectDisposedException)
        {
            problem = "closed";
        }

        if (_response.Status != 200 && _lineLength > 0)
        {
            problem = Encoding.UTF8.GetString(_line, 0, _lineLength);
        }

        _sink.OnEnded(Index, _response.Status, problem);
    }

    public void OnBody(ReadOnlySpan<byte> data, long receivedTicks)
    {
        while (data.Length > 0)
        {
            var newline = data.IndexOf((byte)'\n');
            var piece = newline < 0 ? data : data[..newline];
            var take = Math.Min(piece.Length, _line.Length - _lineLength);
            piece[..take].CopyTo(_line.AsSpan(_lineLength));
            _lineLength += take;
            if (newline < 0)
            {
                return;
            }

            if (_lineLength > 0)
            {
                _sink.OnAck(Index, Parse(_line.AsSpan(0, _lineLength), receivedTicks));
            }

            _lineLength = 0;
            data = data[(newline + 1)..];
        }
    }

    private Ack Parse(ReadOnlySpan<byte> line, long receivedTicks)
    {
        var reader = new Utf8JsonReader(line);
        var type = AckType.Other;
        long timecode = -1;
        var errorId = 0;
        string? number = null;
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }

            if (reader.ValueTextEquals("EventType"u8))
            {
                reader.Read();
                type = reader.ValueTextEquals("PERSISTED"u8) ? AckType.Persisted
                    : reader.ValueTextEquals("RECEIVED"u8) ? AckType.Received
                    : reader.ValueTextEquals("BUFFERING"u8) ? AckType.Buffering
                    : reader.ValueTextEquals("ERROR"u8) ? AckType.Error
                    : reader.ValueTextEquals("IDLE"u8) ? AckType.Idle
                    : AckType.Other;
            }
            else if (reader.ValueTextEquals("FragmentTimecode"u8))
            {
                reader.Read();
                timecode = reader.GetInt64();
            }
            else if (reader.ValueTextEquals("FragmentNumber"u8))
            {
                reader.Read();
                if (_keepNumbers)
                {
                    number = reader.GetString();
                }
            }
            else if (reader.ValueTextEquals("ErrorId"u8))
            {
                reader.Read();
                errorId = reader.GetInt32();
            }
        }

        return new Ack(type, timecode, errorId, number, receivedTicks);
    }
}
