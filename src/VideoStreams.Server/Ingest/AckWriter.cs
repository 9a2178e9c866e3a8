using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Threading.Channels;

namespace VideoStreams.Server.Ingest;

/// <summary>
/// Writes PutMedia acks, one flat JSON object per line, each flushed on its own (the embedded-C producer expects one
/// ack per HTTP chunk). Acks come from the reading loop and from PERSISTED continuations, so they go through a
/// queue drained by one writer; while nothing is queued and no data arrives, it sends IDLE.
/// </summary>
internal sealed class AckWriter
{
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly PipeWriter _output;

    public AckWriter(PipeWriter output)
    {
        _output = output;
    }

    public void Buffering(long timecode) => _queue.Writer.TryWrite(Format("BUFFERING", timecode, null, null));

    public void Received(long timecode, long number) => _queue.Writer.TryWrite(Format("RECEIVED", timecode, number, null));

    public void Persisted(long timecode, long number) => _queue.Writer.TryWrite(Format("PERSISTED", timecode, number, null));

    public void Error(long? timecode, long? number, AckErrorId error) => _queue.Writer.TryWrite(Format("ERROR", timecode, number, error));

    /// <summary>No more acks: the writer drains what is queued and stops.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    /// <summary>Writes acks until <see cref="Complete"/>; IDLE every <paramref name="idleInterval"/> without acks.</summary>
    public async Task RunAsync(TimeSpan idleInterval, Func<bool> idle, CancellationToken cancel)
    {
        var reader = _queue.Reader;
        while (true)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            wait.CancelAfter(idleInterval);
            bool more;
            try
            {
                more = await reader.WaitToReadAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                if (idle())
                {
                    await WriteLineAsync("{\"EventType\":\"IDLE\"}", cancel);
                }

                continue;
            }

            if (!more)
            {
                return;
            }

            while (reader.TryRead(out var line))
            {
                await WriteLineAsync(line, cancel);
            }
        }
    }

    private async ValueTask WriteLineAsync(string line, CancellationToken cancel)
    {
        var bytes = Encoding.UTF8.GetByteCount(line) + 1;
        var span = _output.GetSpan(bytes);
        var written = Encoding.UTF8.GetBytes(line, span);
        span[written] = (byte)'\n';
        _output.Advance(written + 1);
        await _output.FlushAsync(cancel);
    }

    private static string Format(string type, long? timecode, long? number, AckErrorId? error)
    {
        var builder = new StringBuilder(160).Append("{\"EventType\":\"").Append(type).Append('"');
        if (timecode is { } t)
        {
            builder.Append(",\"FragmentTimecode\":").Append(t.ToString(CultureInfo.InvariantCulture));
        }

        if (number is { } n)
        {
            builder.Append(",\"FragmentNumber\":\"").Append(Storage.Fragments.FragmentNumber.Format(n)).Append('"');
        }

        if (error is { } e)
        {
            builder.Append(",\"ErrorId\":").Append(((int)e).ToString(CultureInfo.InvariantCulture))
                .Append(",\"ErrorCode\":\"").Append(e.Code()).Append('"');
        }

        return builder.Append('}').ToString();
    }
}
