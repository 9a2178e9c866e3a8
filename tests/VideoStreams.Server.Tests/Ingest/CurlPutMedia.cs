using System.Diagnostics;
using System.Net;

namespace VideoStreams.Server.Tests.Ingest;

/// <summary>
/// A PutMedia sent by real curl, as the producer command does (<c>curl -sN -X POST -T - -H 'Transfer-Encoding:
/// chunked' …</c>): the test writes the body to curl's standard input. curl reads the response only between reads of
/// its standard input, so acks show up when the producer writes or ends: for a producer that pauses, use
/// <see cref="RawPutMedia"/>.
/// </summary>
internal sealed class CurlPutMedia : LivePutMedia
{
    private readonly Process _curl;
    private readonly Task _reading;
    private readonly Task<string> _stderr;

    private CurlPutMedia(Process curl)
    {
        _curl = curl;
        _reading = ReadAcksAsync();
        _stderr = curl.StandardError.ReadToEndAsync();
    }

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

    public override async Task WriteAsync(ReadOnlyMemory<byte> bytes)
    {
        await _curl.StandardInput.BaseStream.WriteAsync(bytes);
        await _curl.StandardInput.BaseStream.FlushAsync();
    }

    protected override Task CloseBodyAsync()
    {
        _curl.StandardInput.Close();
        return Task.CompletedTask;
    }

    protected override async Task CompletedAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _curl.WaitForExitAsync(cancel.Token);
        await _reading;
        Assert.True(_curl.ExitCode == 0, $"curl exited with {_curl.ExitCode}: {await _stderr}");
    }

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
                    Arrived(line);
                }
            }
        }
        finally
        {
            Ended();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_curl.HasExited)
        {
            _curl.Kill();
            await _curl.WaitForExitAsync();
        }

        _curl.Dispose();
    }
}
