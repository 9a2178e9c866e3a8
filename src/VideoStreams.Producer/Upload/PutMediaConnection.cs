using System.Buffers;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace VideoStreams.Producer.Upload;

/// <summary>The status and headers of an HTTP response.</summary>
internal sealed record HttpResponseHead(int Status, string Reason, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// One HTTP/1.1 request with a chunked body that is still being written while the response is read: what PutMedia
/// needs, and what HttpClient does not do over HTTP/1.1 (it returns the response only after the whole request body
/// is sent, so no ack would arrive before the session ends). Embedded KVS producers speak to the socket the same
/// way. Each fragment is written as one chunk straight from its memory; the response (chunked, sized or up to EOF)
/// is decoded as it comes. One writer and one reader may use it at the same time.
/// </summary>
internal sealed class PutMediaConnection : IAsyncDisposable
{
    private static readonly byte[] Crlf = "\r\n"u8.ToArray();
    private static readonly byte[] LastChunk = "0\r\n\r\n"u8.ToArray();
    private readonly Stream _stream;
    private readonly byte[] _chunkLine = new byte[16];
    private readonly byte[] _read = ArrayPool<byte>.Shared.Rent(16 * 1024);
    private int _readStart;
    private int _readEnd;
    private BodyMode _mode;
    private long _remaining;
    private bool _bodyDone;

    private PutMediaConnection(Stream stream)
    {
        _stream = stream;
    }

    private enum BodyMode
    {
        Chunked,
        Length,
        UntilEof,
    }

    /// <summary>Connects (TCP, and TLS for https) to the URL's host.</summary>
    public static async Task<PutMediaConnection> OpenAsync(Uri url, Func<Uri, CancellationToken, ValueTask<Stream>>? connect,
        TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(connectTimeout);
        try
        {
            var stream = connect is not null
                ? await connect(url, timeout.Token).ConfigureAwait(false)
                : await ConnectAsync(url, timeout.Token).ConfigureAwait(false);
            return new PutMediaConnection(stream);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IOException($"connecting to {url.Authority} took longer than {connectTimeout}");
        }
    }

    /// <summary>Writes the request line and headers (the body follows as chunks).</summary>
    public async Task WriteHeadAsync(string method, Uri url, IEnumerable<(string Name, string Value)> headers, CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        head.Append(method).Append(' ').Append(url.PathAndQuery).Append(" HTTP/1.1\r\n");
        foreach (var (name, value) in headers)
        {
            if (name.AsSpan().ContainsAny('\r', '\n') || value.AsSpan().ContainsAny('\r', '\n'))
            {
                throw new ArgumentException($"Header {name} contains a line break.", nameof(headers));
            }

            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        head.Append("\r\n");
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes one chunk (no copy of <paramref name="data"/>); flushes when asked.</summary>
    public async Task WriteChunkAsync(ReadOnlyMemory<byte> data, bool flush, CancellationToken cancellationToken)
    {
        if (data.IsEmpty)
        {
            return;
        }

        var length = ChunkLine(data.Length, _chunkLine);
        await _stream.WriteAsync(_chunkLine.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        await _stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        await _stream.WriteAsync(Crlf, cancellationToken).ConfigureAwait(false);
        if (flush)
        {
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes one chunk made of three pieces (no copy of them).</summary>
    public async Task WriteChunkAsync(ReadOnlyMemory<byte> a, ReadOnlyMemory<byte> b, ReadOnlyMemory<byte> c, bool flush, CancellationToken cancellationToken)
    {
        var total = a.Length + b.Length + c.Length;
        var length = ChunkLine(total, _chunkLine);
        await _stream.WriteAsync(_chunkLine.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        await _stream.WriteAsync(a, cancellationToken).ConfigureAwait(false);
        await _stream.WriteAsync(b, cancellationToken).ConfigureAwait(false);
        await _stream.WriteAsync(c, cancellationToken).ConfigureAwait(false);
        await _stream.WriteAsync(Crlf, cancellationToken).ConfigureAwait(false);
        if (flush)
        {
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes one chunk framed in place: its data is <paramref name="buffer"/>[<see cref="ChunkPrefix"/>..] for
    /// <paramref name="length"/> bytes, the caller leaving <see cref="ChunkPrefix"/> bytes free before it and 2 after
    /// it for the framing, so that the chunk goes out in one write (one TCP segment per frame with Nagle off), then
    /// flushed. For frames sent as captured: nothing is allocated.
    /// </summary>
    public async ValueTask WriteFramedChunkAsync(byte[] buffer, int length, CancellationToken cancellationToken)
    {
        var digits = length == 0 ? 1 : (32 - System.Numerics.BitOperations.LeadingZeroCount((uint)length) + 3) / 4;
        var start = ChunkPrefix - digits - 2;
        var lineLength = ChunkLine(length, buffer.AsSpan(start, digits + 2));
        buffer[ChunkPrefix + length] = (byte)'\r';
        buffer[ChunkPrefix + length + 1] = (byte)'\n';
        await _stream.WriteAsync(buffer.AsMemory(start, lineLength + length + 2), cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Room to leave before a chunk's data for <see cref="WriteFramedChunkAsync"/>: 8 hex digits and CRLF, rounded up.</summary>
    public const int ChunkPrefix = 16;

    private static int ChunkLine(int length, Span<byte> destination)
    {
        length.TryFormat(destination, out var digits, "x", CultureInfo.InvariantCulture);
        destination[digits] = (byte)'\r';
        destination[digits + 1] = (byte)'\n';
        return digits + 2;
    }

    /// <summary>Ends the body (the last, empty chunk).</summary>
    public async Task EndBodyAsync(CancellationToken cancellationToken)
    {
        await _stream.WriteAsync(LastChunk, cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the status line and headers (skipping 1xx answers).</summary>
    /// <exception cref="IOException">The connection ended first, or the answer is not HTTP.</exception>
    public async Task<HttpResponseHead> ReadHeadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var statusLine = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            var parts = statusLine.Split(' ', 3);
            if (parts.Length < 2 || !parts[0].StartsWith("HTTP/", StringComparison.Ordinal)
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
            {
                throw new IOException($"not an HTTP answer: '{statusLine}'");
            }

            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            string line;
            while ((line = await ReadLineAsync(cancellationToken).ConfigureAwait(false)).Length > 0)
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    var name = line[..colon].Trim();
                    var value = line[(colon + 1)..].Trim();
                    headers[name] = headers.TryGetValue(name, out var earlier) ? earlier + ", " + value : value;
                }
            }

            if (status is >= 100 and < 200)
            {
                continue;
            }

            if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                _mode = BodyMode.Chunked;
                _remaining = 0;
            }
            else if (headers.TryGetValue("Content-Length", out var length) && long.TryParse(length, NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            {
                _mode = BodyMode.Length;
                _remaining = size;
                _bodyDone = size == 0;
            }
            else
            {
                _mode = BodyMode.UntilEof;
            }

            return new HttpResponseHead(status, parts.Length > 2 ? parts[2] : "", headers);
        }
    }

    /// <summary>Reads decoded response body bytes; 0 at its end.</summary>
    public async ValueTask<int> ReadBodyAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (_bodyDone)
        {
            return 0;
        }

        if (_mode == BodyMode.Chunked && _remaining == 0)
        {
            var sizeLine = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (sizeLine.Length == 0)
            {
                // The CRLF that ends the previous chunk's data.
                sizeLine = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }

            var hex = sizeLine.Split(';', 2)[0].Trim();
            if (!long.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _remaining))
            {
                throw new IOException($"bad chunk size line '{sizeLine}'");
            }

            if (_remaining == 0)
            {
                while ((await ReadLineAsync(cancellationToken).ConfigureAwait(false)).Length > 0)
                {
                    // Trailers: none expected, none needed.
                }

                _bodyDone = true;
                return 0;
            }
        }

        var want = _mode == BodyMode.UntilEof ? destination.Length : (int)Math.Min(destination.Length, _remaining);
        int n;
        if (_readEnd > _readStart)
        {
            n = Math.Min(want, _readEnd - _readStart);
            _read.AsMemory(_readStart, n).CopyTo(destination);
            _readStart += n;
        }
        else
        {
            n = await _stream.ReadAsync(destination[..want], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                if (_mode == BodyMode.UntilEof)
                {
                    _bodyDone = true;
                    return 0;
                }

                throw new IOException("the connection ended in the middle of the response");
            }
        }

        if (_mode != BodyMode.UntilEof)
        {
            _remaining -= n;
            if (_mode == BodyMode.Length && _remaining == 0)
            {
                _bodyDone = true;
            }
        }

        return n;
    }

    /// <summary>Reads the whole response body, up to <paramref name="limit"/> bytes.</summary>
    public async Task<byte[]> ReadBodyToEndAsync(int limit, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        var buffer = new byte[4096];
        int n;
        while (body.Length < limit && (n = await ReadBodyAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            body.Write(buffer, 0, n);
        }

        return body.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync().ConfigureAwait(false);
        ArrayPool<byte>.Shared.Return(_read);
    }

    private static async Task<Stream> ConnectAsync(Uri url, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(url.Host, url.Port, cancellationToken).ConfigureAwait(false);
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (url.Scheme == Uri.UriSchemeHttps)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = url.IdnHost }, cancellationToken).ConfigureAwait(false);
                stream = tls;
            }

            return stream;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>One CRLF-terminated line of the head (or of the chunk framing), without the CRLF.</summary>
    private async ValueTask<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var span = _read.AsSpan(_readStart, _readEnd - _readStart);
            var lf = span.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                var line = Encoding.ASCII.GetString(span[..(lf > 0 && span[lf - 1] == '\r' ? lf - 1 : lf)]);
                _readStart += lf + 1;
                return line;
            }

            if (_readStart > 0)
            {
                Buffer.BlockCopy(_read, _readStart, _read, 0, _readEnd - _readStart);
                _readEnd -= _readStart;
                _readStart = 0;
            }

            if (_readEnd == _read.Length)
            {
                throw new IOException($"an HTTP line longer than {_read.Length} bytes");
            }

            var n = await _stream.ReadAsync(_read.AsMemory(_readEnd), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new IOException("the server closed the connection");
            }

            _readEnd += n;
        }
    }
}
