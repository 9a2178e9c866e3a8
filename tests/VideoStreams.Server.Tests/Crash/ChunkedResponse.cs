using System.Globalization;
using System.Text;

namespace VideoStreams.Server.Tests.Crash;

/// <summary>
/// Reads an HTTP/1.1 response with a chunked body off a raw connection, chunk by chunk as it arrives. A connection
/// that ends before the last chunk is an <see cref="IOException"/>, as in HttpClient.
/// </summary>
internal sealed class ChunkedResponse(Stream connection)
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    /// <summary>Reads the status line and the headers; returns the status line.</summary>
    public async Task<string> ReadHeadAsync(CancellationToken cancel)
    {
        var status = await ReadLineAsync(cancel);
        var chunked = false;
        while (await ReadLineAsync(cancel) is { Length: > 0 } header)
        {
            chunked |= header.Equals("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase);
        }

        Assert.True(chunked || !status.Contains(" 200 ", StringComparison.Ordinal), "a 200 PutMedia answer is chunked");
        return status;
    }

    /// <summary>The next chunk's data; empty after the last chunk.</summary>
    public async Task<byte[]> ReadChunkAsync(CancellationToken cancel)
    {
        var sizeLine = await ReadLineAsync(cancel);
        var size = int.Parse(sizeLine.Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var data = new byte[size];
        for (var filled = 0; filled < size;)
        {
            await FillAsync(cancel);
            var n = Math.Min(size - filled, _end - _start);
            _buffer.AsSpan(_start, n).CopyTo(data.AsSpan(filled));
            _start += n;
            filled += n;
        }

        if (size == 0)
        {
            // Trailers (none expected) end with an empty line.
            while ((await ReadLineAsync(cancel)).Length > 0)
            {
            }
        }
        else if ((await ReadLineAsync(cancel)).Length != 0)
        {
            throw new InvalidDataException("a chunk does not end with CRLF");
        }

        return data;
    }

    private async Task<string> ReadLineAsync(CancellationToken cancel)
    {
        var line = new StringBuilder();
        while (true)
        {
            await FillAsync(cancel);
            var at = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            var stop = at < 0 ? _end : at;
            line.Append(Encoding.ASCII.GetString(_buffer, _start, stop - _start));
            _start = at < 0 ? _end : at + 1;
            if (at >= 0)
            {
                return line.ToString().TrimEnd('\r');
            }
        }
    }

    /// <summary>Makes sure at least one unread byte is buffered.</summary>
    private async Task FillAsync(CancellationToken cancel)
    {
        if (_start < _end)
        {
            return;
        }

        _start = 0;
        _end = await connection.ReadAsync(_buffer, cancel);
        if (_end == 0)
        {
            throw new IOException("the server closed the connection before the response ended");
        }
    }
}
