using System.Text;

namespace VideoStreams.Benchmarks.Ingest;

/// <summary>Receives the body bytes of an HTTP response, in order, as they arrive.</summary>
internal interface IBodySink
{
    void OnBody(ReadOnlySpan<byte> data, long receivedTicks);
}

/// <summary>
/// An HTTP/1.1 response read from a raw socket: the status line and headers, then the body, de-chunked when the
/// server chunks it (Kestrel does for PutMedia's acks and GetMedia's MKV). Allocates nothing per call.
/// </summary>
internal sealed class ChunkedResponse
{
    private enum State
    {
        Headers,
        Size,
        Data,
        DataEnd,
        Raw,
        Done,
    }

    private readonly byte[] _headers = new byte[16 * 1024];
    private int _headerLength;
    private State _state;
    private long _chunkLeft;
    private long _size;
    private bool _sizeEnded;

    public int Status { get; private set; }

    public string? HeaderText { get; private set; }

    public bool Done => _state == State.Done;

    /// <summary>Consumes received bytes; returns false once the response is complete.</summary>
    public bool Feed(ReadOnlySpan<byte> input, IBodySink sink, long receivedTicks)
    {
        while (input.Length > 0)
        {
            switch (_state)
            {
                case State.Headers:
                    {
                        var take = Math.Min(input.Length, _headers.Length - _headerLength);
                        if (take == 0)
                        {
                            throw new InvalidOperationException("response headers over 16 KiB");
                        }

                        input[..take].CopyTo(_headers.AsSpan(_headerLength));
                        var searchFrom = Math.Max(0, _headerLength - 3);
                        _headerLength += take;
                        var end = _headers.AsSpan(searchFrom, _headerLength - searchFrom).IndexOf("\r\n\r\n"u8);
                        if (end < 0)
                        {
                            input = input[take..];
                            break;
                        }

                        var headerEnd = searchFrom + end + 4;
                        HeaderText = Encoding.ASCII.GetString(_headers, 0, headerEnd);
                        Status = int.Parse(HeaderText.AsSpan(9, 3), provider: System.Globalization.CultureInfo.InvariantCulture);
                        _state = HeaderText.Contains("transfer-encoding: chunked", StringComparison.OrdinalIgnoreCase) ? State.Size : State.Raw;
                        // Bytes past the headers that came in this read belong to the body.
                        var used = headerEnd - (_headerLength - take);
                        input = input[used..];
                        break;
                    }

                case State.Size:
                    {
                        var b = input[0];
                        input = input[1..];
                        if (b == (byte)'\n')
                        {
                            _chunkLeft = _size;
                            _size = 0;
                            _sizeEnded = false;
                            _state = _chunkLeft == 0 ? State.Done : State.Data;
                        }
                        else if (!_sizeEnded && Uri.IsHexDigit((char)b))
                        {
                            _size = (_size * 16) + (b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10);
                        }
                        else
                        {
                            _sizeEnded = true; // '\r' or a chunk extension
                        }

                        break;
                    }

                case State.Data:
                    {
                        var take = (int)Math.Min(input.Length, _chunkLeft);
                        sink.OnBody(input[..take], receivedTicks);
                        input = input[take..];
                        _chunkLeft -= take;
                        if (_chunkLeft == 0)
                        {
                            _state = State.DataEnd;
                            _chunkLeft = 2;
                        }

                        break;
                    }

                case State.DataEnd:
                    {
                        var take = (int)Math.Min(input.Length, _chunkLeft);
                        input = input[take..];
                        _chunkLeft -= take;
                        if (_chunkLeft == 0)
                        {
                            _state = State.Size;
                        }

                        break;
                    }

                case State.Raw:
                    sink.OnBody(input, receivedTicks);
                    input = default;
                    break;

                case State.Done:
                    return false;
            }
        }

        return _state != State.Done;
    }
}
