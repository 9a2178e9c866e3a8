using System.Buffers;
using System.Diagnostics;
using System.Net;

namespace VideoStreams.Benchmarks.Hls;

/// <summary>What one target served during the measured window.</summary>
internal sealed record HlsLoadResult(string Target, int Viewers, TimeSpan Measured, long Segments, long Playlists, long Bytes, long Failures,
    string FirstFailure, LatencyHistogram SegmentLatency)
{
    public double SegmentsPerSecond => Segments / Measured.TotalSeconds;

    public double MegabytesPerSecond => Bytes / 1e6 / Measured.TotalSeconds;
}

/// <summary>
/// N viewers of one HLS media playlist, each on its own keep-alive connection and one request at a time, as hls.js
/// plays a stream: GET the init segment once, then loop (GET the media playlist, GET each segment it lists, reading
/// every body to its end). Requests completed inside the measured window (after the warm-up) are counted.
/// </summary>
internal static class HlsLoad
{
    public static async Task<HlsLoadResult> RunAsync(string target, Uri mediaPlaylist, int viewers, TimeSpan warmup, TimeSpan measure)
    {
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = viewers,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
        var window = new Window();
        var latency = new LatencyHistogram();
        using var stop = new CancellationTokenSource();
        var tasks = Enumerable.Range(0, viewers).Select(_ => Task.Run(() => ViewAsync(http, mediaPlaylist, window, latency, stop.Token))).ToArray();

        await Task.Delay(warmup);
        window.Open();
        await Task.Delay(measure);
        var measured = window.Close();
        await stop.CancelAsync();
        await Task.WhenAll(tasks);
        return new HlsLoadResult(target, viewers, measured, window.Segments, window.Playlists, window.Bytes, window.Failures,
            window.FirstFailure ?? "", latency);
    }

    private static async Task ViewAsync(HttpClient http, Uri playlist, Window window, LatencyHistogram latency, CancellationToken stop)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            var (_, text) = await GetAsync(http, playlist, buffer, keepText: true, stop);
            var init = HlsPlaylistText.InitUri(text ?? "", playlist);
            if (init is not null)
            {
                await GetAsync(http, init, buffer, keepText: false, stop);
            }

            while (!stop.IsCancellationRequested)
            {
                var (bytes, body) = await GetAsync(http, playlist, buffer, keepText: true, stop);
                window.Count(ref window.Playlists, bytes, bytes < 0 ? $"playlist: {body}" : null);
                foreach (var segment in HlsPlaylistText.SegmentUris(body!, playlist))
                {
                    var started = Stopwatch.GetTimestamp();
                    (bytes, var error) = await GetAsync(http, segment, buffer, keepText: false, stop);
                    if (window.Count(ref window.Segments, bytes, bytes < 0 ? $"segment: {error}" : null))
                    {
                        latency.Add(Stopwatch.GetElapsedTime(started));
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Bytes read (or -1 for a failed request) and, when asked or on failure, the body as text.</summary>
    private static async Task<(long Bytes, string? Text)> GetAsync(HttpClient http, Uri uri, byte[] buffer, bool keepText, CancellationToken stop)
    {
        try
        {
            using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, stop);
            if (!response.IsSuccessStatusCode || keepText)
            {
                var text = await response.Content.ReadAsStringAsync(stop);
                return response.IsSuccessStatusCode ? (text.Length, text) : (-1, $"HTTP {(int)response.StatusCode} {text[..Math.Min(200, text.Length)]}");
            }

            await using var body = await response.Content.ReadAsStreamAsync(stop);
            long total = 0;
            int read;
            while ((read = await body.ReadAsync(buffer, stop)) > 0)
            {
                total += read;
            }

            return (total, null);
        }
        catch (HttpRequestException e)
        {
            return (-1, e.Message);
        }
    }

    /// <summary>Counters that only count while the measured window is open.</summary>
    private sealed class Window
    {
        public long Segments;
        public long Playlists;
        public long Bytes;
        public long Failures;
        private long _opened;
        private volatile bool _open;

        public string? FirstFailure { get; private set; }

        public void Open()
        {
            _opened = Stopwatch.GetTimestamp();
            _open = true;
        }

        public TimeSpan Close()
        {
            _open = false;
            return Stopwatch.GetElapsedTime(_opened);
        }

        /// <summary>Counts one request into <paramref name="counter"/> (or a failure); true when it counted a success.</summary>
        public bool Count(ref long counter, long bytes, string? failure)
        {
            if (!_open)
            {
                return false;
            }

            if (bytes < 0)
            {
                if (Interlocked.Increment(ref Failures) == 1)
                {
                    FirstFailure = failure;
                }

                return false;
            }

            Interlocked.Increment(ref counter);
            Interlocked.Add(ref Bytes, bytes);
            return true;
        }
    }
}

/// <summary>Request latencies in quarter-octave buckets (microseconds), for percentiles without storing samples.</summary>
internal sealed class LatencyHistogram
{
    private readonly long[] _buckets = new long[160];

    public void Add(TimeSpan elapsed)
    {
        var micros = Math.Max(1.0, elapsed.TotalMicroseconds);
        var bucket = Math.Min(_buckets.Length - 1, (int)(Math.Log2(micros) * 4));
        Interlocked.Increment(ref _buckets[bucket]);
    }

    /// <summary>The upper bound of the bucket holding the <paramref name="quantile"/>, in milliseconds.</summary>
    public double Percentile(double quantile)
    {
        var total = _buckets.Sum();
        if (total == 0)
        {
            return double.NaN;
        }

        long seen = 0;
        for (var i = 0; i < _buckets.Length; i++)
        {
            seen += _buckets[i];
            if (seen >= quantile * total)
            {
                return Math.Pow(2, (i + 1) / 4.0) / 1000;
            }
        }

        return double.NaN;
    }
}
