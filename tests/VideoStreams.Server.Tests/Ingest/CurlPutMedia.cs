using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Threading.Channels;

namespace VideoStreams.Server.Tests.Ingest;

/// <summary>
/// A PutMedia sent by real curl, as the issue's producer command does (<c>curl -sN -X POST -T - -H 'Transfer-Encoding:
/// chunked' …</c>): the test writes the body to curl's standard input piece by piece and sees each ack line as curl
/// prints it, so it can tell what arrived while the upload was still going.
/// </summary>
internal sealed class CurlPutMedia : IAsyncDisposable
{
    private readonly Process _curl;
    private readonly Channel<JsonElement> _arriving = Channel.CreateUnbounded<JsonElement>();
    private readonly List<JsonElement> _acks = [];
    private readonly Task _reading;
    private readonly Task<string> _stderr;
    private volatile bool _bodyEnded;

    private CurlPutMedia(Process curl)
    {
        _curl = curl;
        _reading = ReadAcksAsync();
        _stderr = curl.StandardError.ReadToEndAsync();
    }

    /// <summary>Acks seen so far (the ones handed out by <see cref="NextAckAsync"/> and <see cref="WaitForAsync"/>).</summary>
    public IReadOnlyList<JsonElement> Seen => _acks;

    /// <summary>True once the body has been closed (<see cref="EndBody"/>).</summary>
    public bool BodyEnded => _bodyEnded;

    public static CurlPutMedia Start(Uri baseUrl, string stream, string timecodeType = "RELATIVE", long startMs = PutMediaClient.StartMs)
    {
        var info = new ProcessStartInfo("curl")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[]
        {
            "-sN", "-X", "POST", "-T", "-",
            "-H", "Transfer-Encoding: chunked",
            "-H", $"x-amzn-stream-name: {stream}",
            "-H", $"x-amzn-fragment-timecode-type: {timecodeType}",
            "-H", $"x-amzn-producer-start-timestamp: {startMs / 1000}.{startMs % 1000:D3}",
            "-w", "\nHTTP %{http_code}\n",
            new Uri(baseUrl, "putMedia").ToString(),
        })
        {
            info.ArgumentList.Add(arg);
        }

        return new CurlPutMedia(Process.Start(info)!);
    }

    /// <summary>Sends part of the body (curl forwards what it reads as one or more HTTP chunks).</summary>
    public async Task WriteAsync(ReadOnlyMemory<byte> bytes)
    {
        await _curl.StandardInput.BaseStream.WriteAsync(bytes);
        await _curl.StandardInput.BaseStream.FlushAsync();
    }

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

        EndBody();
    }

    /// <summary>Closes the body: the producer has nothing more to send.</summary>
    public void EndBody()
    {
        _bodyEnded = true;
        _curl.StandardInput.Close();
    }

    /// <summary>The next ack as curl prints it; null when the response has ended.</summary>
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

    /// <summary>Waits for curl to end and returns the answer: the HTTP status and every ack.</summary>
    public async Task<PutMediaAnswer> FinishAsync(TimeSpan timeout)
    {
        if (!BodyEnded)
        {
            EndBody();
        }

        while (await NextAckAsync(timeout) is not null)
        {
        }

        using var cancel = new CancellationTokenSource(timeout);
        await _curl.WaitForExitAsync(cancel.Token);
        await _reading;
        Assert.True(_curl.ExitCode == 0, $"curl exited with {_curl.ExitCode}: {await _stderr}");
        return new PutMediaAnswer(Status, _acks);
    }

    /// <summary>The status line curl prints after the body (-w), once it has ended.</summary>
    private HttpStatusCode Status { get; set; }

    private async Task ReadAcksAsync()
    {
        try
        {
            while (await _curl.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("HTTP ", StringComparison.Ordinal))
                {
                    Status = (HttpStatusCode)int.Parse(line[5..], System.Globalization.CultureInfo.InvariantCulture);
                }
                else if (line.Length > 0)
                {
                    _arriving.Writer.TryWrite(JsonDocument.Parse(line).RootElement.Clone());
                }
            }
        }
        finally
        {
            _arriving.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_curl.HasExited)
        {
            _curl.Kill();
            await _curl.WaitForExitAsync();
        }

        _curl.Dispose();
    }
}
