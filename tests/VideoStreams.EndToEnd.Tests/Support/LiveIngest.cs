using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using VideoStreams.Server.Tests.Ingest;

namespace VideoStreams.EndToEnd.Tests.Support;

/// <summary>
/// A camera streaming now: one PutMedia (chunked, ABSOLUTE fragment timecodes) that sends a one-second cluster of the
/// test video's real H.264 each second, timestamped with the wall clock, until <see cref="StopAsync"/>. Each cluster
/// goes out once its second has passed, as a producer sends what it has captured.
/// </summary>
internal sealed class LiveIngest : IAsyncDisposable
{
    private readonly Channel<byte[]> _body = Channel.CreateUnbounded<byte[]>();
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpClient _client;
    private readonly Task<HttpResponseMessage> _response;
    private readonly Task _camera;
    private int _clustersSent;

    private LiveIngest(Uri baseUrl, string stream)
    {
        _client = new HttpClient { BaseAddress = baseUrl, Timeout = Timeout.InfiniteTimeSpan };
        var request = new HttpRequestMessage(HttpMethod.Post, "putMedia") { Content = new ChannelContent(_body.Reader) };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Add("x-amzn-stream-name", stream);
        request.Headers.Add("x-amzn-fragment-timecode-type", "ABSOLUTE");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        request.Headers.Add("x-amzn-producer-start-timestamp", $"{now / 1000}.{now % 1000:D3}");
        _response = _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        _camera = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Clusters (one-second fragments) sent so far.</summary>
    public int ClustersSent => Volatile.Read(ref _clustersSent);

    public static LiveIngest Start(Uri baseUrl, string stream) => new(baseUrl, stream);

    private async Task RunAsync(CancellationToken stop)
    {
        using var mkv = new ProducerMkv();
        var sent = 0;
        // Whole seconds, so fragment boundaries are easy to read in a failure message.
        var first = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000) - 1000;
        try
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var timecode = first + (i * 1000L);
                var due = DateTimeOffset.FromUnixTimeMilliseconds(timecode + 1000) - DateTimeOffset.UtcNow;
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, stop);
                }

                mkv.Cluster(timecode, i);
                var bytes = mkv.ToArray();
                await _body.Writer.WriteAsync(bytes[sent..], stop);
                sent = bytes.Length;
                Interlocked.Increment(ref _clustersSent);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            _body.Writer.TryComplete();
        }
    }

    /// <summary>Stops the camera, ends the body and returns PutMedia's status and acks.</summary>
    public async Task<PutMediaAnswer> StopAsync()
    {
        await _stop.CancelAsync();
        await _camera;
        using var response = await _response.WaitAsync(TimeSpan.FromSeconds(60));
        var acks = new List<JsonElement>();
        if (response.StatusCode == HttpStatusCode.OK)
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            while (await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) is { } line)
            {
                acks.Add(JsonDocument.Parse(line).RootElement.Clone());
            }
        }

        return new PutMediaAnswer(response.StatusCode, acks);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            try
            {
                await StopAsync();
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutException or IOException)
            {
                // The test has already failed or finished; a broken upload at disposal adds nothing.
            }
        }

        _client.Dispose();
        _stop.Dispose();
    }

    /// <summary>A request body written as the camera produces it: each item is flushed as its own chunk.</summary>
    private sealed class ChannelContent(ChannelReader<byte[]> source) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await foreach (var bytes in source.ReadAllAsync())
            {
                await stream.WriteAsync(bytes);
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
