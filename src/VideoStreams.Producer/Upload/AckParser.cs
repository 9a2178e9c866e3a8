using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace VideoStreams.Producer.Upload;

/// <summary>The PutMedia response was not a sequence of JSON ack objects.</summary>
internal sealed class AckFormatException(string message) : Exception(message);

/// <summary>
/// Splits the PutMedia response into ack objects and reads them. The bytes come in whatever pieces the network
/// makes: an ack split over reads, several in one read, with or without newlines between them. Objects are flat;
/// a nested object (the docs' example wraps the fields in <c>Acknowledgement</c>) is read as if its fields were
/// at the top. Values may be JSON numbers or strings, as the KVS SDK's parser accepts both.
/// </summary>
internal sealed class AckParser : IDisposable
{
    /// <summary>Longest ack accepted (the KVS SDK caps one at 1024 characters; this leaves room).</summary>
    public const int MaxAckBytes = 16 * 1024;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(4096);
    private int _start;
    private int _end;

    /// <summary>Where the next read from the network goes (at least 1 KiB).</summary>
    public Memory<byte> GetWriteBuffer()
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }

        if (_buffer.Length - _end < 1024)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            if (_buffer.Length - _end < 1024)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
                Buffer.BlockCopy(_buffer, 0, bigger, 0, _end);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = bigger;
            }
        }

        return _buffer.AsMemory(_end);
    }

    /// <summary>Marks <paramref name="count"/> bytes of the write buffer as filled.</summary>
    public void Advance(int count) => _end += count;

    /// <summary>Feeds bytes (for tests and callers that already hold them).</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var target = GetWriteBuffer().Span;
            var n = Math.Min(target.Length, bytes.Length);
            bytes[..n].CopyTo(target);
            Advance(n);
            bytes = bytes[n..];
        }
    }

    /// <summary>Reads the next complete ack. False when more bytes are needed.</summary>
    /// <exception cref="AckFormatException">The bytes are not JSON objects, or one is too long.</exception>
    public bool TryRead(out PutMediaAck ack)
    {
        ack = default;
        var span = _buffer.AsSpan(_start, _end - _start);
        var skip = 0;
        while (skip < span.Length && span[skip] is (byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t' or (byte)',')
        {
            skip++;
        }

        _start += skip;
        span = span[skip..];
        if (span.IsEmpty)
        {
            return false;
        }

        if (span[0] != (byte)'{')
        {
            throw new AckFormatException($"expected an ack object, got byte 0x{span[0]:X2}");
        }

        var length = FindObjectEnd(span);
        if (length < 0)
        {
            if (span.Length > MaxAckBytes)
            {
                throw new AckFormatException($"an ack longer than {MaxAckBytes} bytes");
            }

            return false;
        }

        ack = Parse(span[..length]);
        _start += length;
        return true;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    /// <summary>Length of the object at the start of <paramref name="span"/>, or -1 when it is not complete yet.</summary>
    private static int FindObjectEnd(ReadOnlySpan<byte> span)
    {
        var depth = 0;
        var inString = false;
        for (var i = 0; i < span.Length; i++)
        {
            var b = span[i];
            if (inString)
            {
                if (b == (byte)'\\')
                {
                    i++;
                }
                else if (b == (byte)'"')
                {
                    inString = false;
                }
            }
            else if (b == (byte)'"')
            {
                inString = true;
            }
            else if (b == (byte)'{')
            {
                depth++;
            }
            else if (b == (byte)'}' && --depth == 0)
            {
                return i + 1;
            }
        }

        return -1;
    }

    private static PutMediaAck Parse(ReadOnlySpan<byte> json)
    {
        var type = PutMediaAckType.Unknown;
        long? timecode = null;
        string? number = null;
        int? errorId = null;
        string? errorCode = null;
        try
        {
            var reader = new Utf8JsonReader(json);
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName)
                {
                    continue;
                }

                if (reader.ValueTextEquals("EventType"u8))
                {
                    reader.Read();
                    type = TypeOf(ref reader);
                }
                else if (reader.ValueTextEquals("FragmentTimecode"u8))
                {
                    reader.Read();
                    timecode = Int64Of(ref reader);
                }
                else if (reader.ValueTextEquals("FragmentNumber"u8))
                {
                    reader.Read();
                    number = TextOf(ref reader);
                }
                else if (reader.ValueTextEquals("ErrorId"u8))
                {
                    reader.Read();
                    errorId = (int?)Int64Of(ref reader);
                }
                else if (reader.ValueTextEquals("ErrorCode"u8))
                {
                    reader.Read();
                    errorCode = TextOf(ref reader);
                }
            }
        }
        catch (JsonException e)
        {
            throw new AckFormatException("an ack is not valid JSON: " + e.Message);
        }

        return new PutMediaAck(type, timecode, number, errorId, errorCode);
    }

    private static PutMediaAckType TypeOf(ref Utf8JsonReader reader) =>
        reader.TokenType != JsonTokenType.String ? PutMediaAckType.Unknown
        : reader.ValueTextEquals("BUFFERING"u8) ? PutMediaAckType.Buffering
        : reader.ValueTextEquals("RECEIVED"u8) ? PutMediaAckType.Received
        : reader.ValueTextEquals("PERSISTED"u8) ? PutMediaAckType.Persisted
        : reader.ValueTextEquals("ERROR"u8) ? PutMediaAckType.Error
        : reader.ValueTextEquals("IDLE"u8) ? PutMediaAckType.Idle
        : PutMediaAckType.Unknown;

    private static long? Int64Of(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value))
        {
            return value;
        }

        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped
            && Utf8Parser.TryParse(reader.ValueSpan, out long parsed, out var used) && used == reader.ValueSpan.Length)
        {
            return parsed;
        }

        return null;
    }

    private static string? TextOf(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
        _ => null,
    };
}
