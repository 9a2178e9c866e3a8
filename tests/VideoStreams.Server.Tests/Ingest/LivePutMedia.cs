using System.Net;
using System.Text.Json;
using System.Threading.Channels;

namespace VideoStreams.Server.Tests.Ingest;

/// <summary>
/// A PutMedia in progress whose acks the test sees one by one as they arrive, while it still decides what to send.
/// </summary>
internal abstract class LivePutMedia : IAsyncDisposable
{
    private readonly Channel<JsonElement> _arriving = Channel.CreateUnbounded<JsonElement>();
    private readonly List<JsonElement> _acks = [];
    private volatile bool _bodyEnded;

    /// <summary>Acks seen so far (the ones handed out by <see cref="NextAckAsync"/> and <see cref="WaitForAsync"/>).</summary>
    public IReadOnlyList<JsonElement> Seen => _acks;

    /// <summary>True once the body has been closed (<see cref="EndBodyAsync"/>).</summary>
    public bool BodyEnded => _bodyEnded;

    /// <summary>The HTTP status of the answer.</summary>
    protected HttpStatusCode Status { get; set; }

    /// <summary>Sends part of the body.</summary>
    public abstract Task WriteAsync(ReadOnlyMemory<byte> bytes);

    /// <summary>Copies a producer's output into the body as it comes, then closes the body.</summary>
    public async Task PipeFromAsync(Stream producer, Stream? copy = null)
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await producer.ReadAsync(buffer)) > 0)
        {
            copy?.Write(buffer, 0, read);
            await WriteAsync(buffer.AsMemory(0, read));
        }

        await EndBodyAsync();
    }

    /// <summary>Closes the body: the producer has nothing more to send.</summary>
    public async Task EndBodyAsync()
    {
        if (!_bodyEnded)
        {
            _bodyEnded = true;
            await CloseBodyAsync();
        }
    }

    protected abstract Task CloseBodyAsync();

    /// <summary>Called by the reading side for each ack line.</summary>
    protected void Arrived(string line) => _arriving.Writer.TryWrite(JsonDocument.Parse(line).RootElement.Clone());

    /// <summary>Called by the reading side when the response has ended.</summary>
    protected void Ended() => _arriving.Writer.TryComplete();

    /// <summary>The next ack; null when the response has ended.</summary>
    public async Task<JsonElement?> NextAckAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            if (await _arriving.Reader.WaitToReadAsync(cancel.Token) && _arriving.Reader.TryRead(out var ack))
            {
                _acks.Add(ack);
                return ack;
            }

            return null;
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"no ack within {timeout}; seen so far:\n{string.Join("\n", _acks.Select(a => a.GetRawText()))}");
            throw;
        }
    }

    /// <summary>Takes every ack that has arrived so far into <see cref="Seen"/>, without waiting.</summary>
    public void TakeArrived()
    {
        while (_arriving.Reader.TryRead(out var ack))
        {
            _acks.Add(ack);
        }
    }

    /// <summary>Reads acks until one of type <paramref name="type"/> arrives (fails if the response ends first).</summary>
    public async Task<JsonElement> WaitForAsync(string type, TimeSpan timeout)
    {
        while (true)
        {
            var ack = await NextAckAsync(timeout);
            Assert.True(ack is not null, $"the response ended before a {type} ack:\n{string.Join("\n", _acks.Select(a => a.GetRawText()))}");
            if (ack.Value.GetProperty("EventType").GetString() == type)
            {
                return ack.Value;
            }
        }
    }

    /// <summary>Closes the body if still open, reads the answer to its end and returns it.</summary>
    public async Task<PutMediaAnswer> FinishAsync(TimeSpan timeout)
    {
        await EndBodyAsync();
        while (await NextAckAsync(timeout) is not null)
        {
        }

        await CompletedAsync(timeout);
        return new PutMediaAnswer(Status, _acks);
    }

    /// <summary>Waits for the client side to be done once the answer has ended.</summary>
    protected abstract Task CompletedAsync(TimeSpan timeout);

    public abstract ValueTask DisposeAsync();
}
