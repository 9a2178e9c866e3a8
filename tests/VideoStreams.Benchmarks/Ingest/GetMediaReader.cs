using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace VideoStreams.Benchmarks.Ingest;

/// <summary>Where a GetMedia reader reports each fragment it received in full.</summary>
internal interface IFragmentSink
{
    void OnFragment(int stream, string fragmentNumber, long receivedTicks);

    void OnReaderEnded(int stream, int status, string? problem);
}

/// <summary>
/// A GetMedia reader following the live edge (StartSelector NOW) over a raw socket. GetMedia writes each fragment as
/// one MKV document and flushes it whole: Tags, the cluster, then Tags with AWS_KINESISVIDEO_CONTINUATION_TOKEN (the
/// fragment's number). So the moment the continuation token's TagString arrives is the moment the reader has the
/// fragment's whole cluster; the reader finds it in the de-chunked body without parsing the MKV.
/// </summary>
internal sealed class GetMediaReader : IBodySink, IDisposable
{
    // SimpleTag: TagName "AWS_KINESISVIDEO_CONTINUATION_TOKEN", then TagString (id 0x4487), size, the number.
    private static readonly byte[] Marker = [.. "AWS_KINESISVIDEO_CONTINUATION_TOKEN"u8, 0x44, 0x87];
    private const int Keep = 128;

    private readonly Socket _socket;
    private readonly int _stream;
    private readonly IFragmentSink _sink;
    private readonly byte[] _receive = new byte[64 * 1024];
    private readonly byte[] _scan = new byte[(64 * 1024) + Keep];
    private readonly ChunkedResponse _response = new();
    private int _tail;

    private GetMediaReader(Socket socket, int stream, IFragmentSink sink)
    {
        _socket = socket;
        _stream = stream;
        _sink = sink;
    }

    public Task Receiving { get; private set; } = Task.CompletedTask;

    public long Fragments { get; private set; }

    public static async Task<GetMediaReader> OpenAsync(IPEndPoint server, string streamName, int stream, IFragmentSink sink)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server);
        var body = Encoding.UTF8.GetBytes($"{{\"StreamName\":\"{streamName}\",\"StartSelector\":{{\"StartSelectorType\":\"NOW\"}}}}");
        var request = Encoding.ASCII.GetBytes(
            $"POST /getMedia HTTP/1.1\r\nHost: {server}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n");
        await socket.SendAsync(request.Concat(body).ToArray(), SocketFlags.None);
        var reader = new GetMediaReader(socket, stream, sink);
        reader.Receiving = Task.Run(reader.ReceiveLoopAsync);
        return reader;
    }

    public void Dispose() => _socket.Dispose();

    private async Task ReceiveLoopAsync()
    {
        string? problem = null;
        try
        {
            while (true)
            {
                var read = await _socket.ReceiveAsync(_receive, SocketFlags.None);
                if (read == 0 || !_response.Feed(_receive.AsSpan(0, read), this, Stopwatch.GetTimestamp()))
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            problem = e.Message;
        }

        _sink.OnReaderEnded(_stream, _response.Status, problem);
    }

    public void OnBody(ReadOnlySpan<byte> data, long receivedTicks)
    {
        // Scan what is left of the previous piece (a marker may straddle two reads) and this one.
        data.CopyTo(_scan.AsSpan(_tail));
        var length = _tail + data.Length;
        var window = _scan.AsSpan(0, length);
        var from = 0;
        while (true)
        {
            var at = window[from..].IndexOf(Marker);
            if (at < 0)
            {
                break;
            }

            var value = from + at + Marker.Length;
            if (value >= length || value + 1 + (window[value] & 0x7F) > length)
            {
                from += at; // the number has not arrived yet: keep from the marker on
                break;
            }

            var size = window[value] & 0x7F; // a one-byte size: fragment numbers are short
            _sink.OnFragment(_stream, Encoding.ASCII.GetString(window.Slice(value + 1, size)), receivedTicks);
            Fragments++;
            from = value + 1 + size;
        }

        var keepFrom = Math.Max(from, length - Keep);
        _tail = length - keepFrom;
        window[keepFrom..].CopyTo(_scan);
    }
}
