using System.Globalization;

namespace VideoStreams.Benchmarks.Latency;

/// <summary>A media playlist as an LL-HLS client reads it (RFC 8216bis): enough to know what to ask for next.</summary>
internal sealed class LlPlaylist
{
    /// <summary>EXT-X-MEDIA-SEQUENCE.</summary>
    public long MediaSequence { get; private set; }

    /// <summary>EXT-X-MAP's URI.</summary>
    public string? Map { get; private set; }

    /// <summary>Every EXT-X-PART, in order, with the media sequence number of the segment it belongs to and its index in it.</summary>
    public List<(long Msn, int Index, string Uri)> Parts { get; } = [];

    /// <summary>Complete segments' URIs with their media sequence numbers.</summary>
    public List<(long Msn, string Uri)> Segments { get; } = [];

    /// <summary>EXT-X-PRELOAD-HINT TYPE=PART's URI.</summary>
    public string? PreloadHint { get; private set; }

    /// <summary>EXT-X-PART-INF was there: the playlist is LL-HLS.</summary>
    public bool HasParts { get; private set; }

    /// <summary>EXT-X-ENDLIST was there.</summary>
    public bool Ended { get; private set; }

    /// <summary>The segment the next part belongs to and that part's index: what a blocking reload asks for.</summary>
    public (long Msn, int Part) Next
    {
        get
        {
            var current = MediaSequence + Segments.Count;
            var partsOfCurrent = Parts.Count(p => p.Msn == current);
            return (current, partsOfCurrent);
        }
    }

    public static LlPlaylist Parse(string text)
    {
        var playlist = new LlPlaylist();
        var msn = -1L;
        var index = 0;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("#EXT-X-MEDIA-SEQUENCE:", StringComparison.Ordinal))
            {
                playlist.MediaSequence = long.Parse(line[22..], CultureInfo.InvariantCulture);
                msn = playlist.MediaSequence;
            }
            else if (line.StartsWith("#EXT-X-MAP:", StringComparison.Ordinal))
            {
                playlist.Map = Attribute(line, "URI");
            }
            else if (line.StartsWith("#EXT-X-PART-INF:", StringComparison.Ordinal))
            {
                playlist.HasParts = true;
            }
            else if (line.StartsWith("#EXT-X-PART:", StringComparison.Ordinal))
            {
                playlist.Parts.Add((Math.Max(msn, 0), index++, Attribute(line, "URI")!));
            }
            else if (line.StartsWith("#EXT-X-PRELOAD-HINT:", StringComparison.Ordinal) && Attribute(line, "TYPE") == "PART")
            {
                playlist.PreloadHint = Attribute(line, "URI");
            }
            else if (line.StartsWith("#EXT-X-ENDLIST", StringComparison.Ordinal))
            {
                playlist.Ended = true;
            }
            else if (line.Length > 0 && !line.StartsWith('#'))
            {
                playlist.Segments.Add((Math.Max(msn, 0), line));
                msn = Math.Max(msn, 0) + 1;
                index = 0;
            }
        }

        return playlist;
    }

    private static string? Attribute(string line, string name)
    {
        var at = line.IndexOf(name + "=", StringComparison.Ordinal);
        while (at > 0 && line[at - 1] is not (':' or ','))
        {
            at = line.IndexOf(name + "=", at + 1, StringComparison.Ordinal);
        }

        if (at < 0)
        {
            return null;
        }

        var start = at + name.Length + 1;
        if (start < line.Length && line[start] == '"')
        {
            return line[(start + 1)..line.IndexOf('"', start + 1)];
        }

        var end = line.IndexOf(',', start);
        return end < 0 ? line[start..] : line[start..end];
    }
}

/// <summary>What the simulated viewers did in a window.</summary>
internal sealed class LlClientCounters
{
    public long Playlists;
    public long BlockingReloads;
    public long Parts;
    public long Hints;
    public long Segments;
    public long Bytes;
    public long Errors;
    public string? LastError;

    public void Error(string what)
    {
        Interlocked.Increment(ref Errors);
        LastError = what;
    }
}

/// <summary>
/// A simulated LL-HLS viewer: the requests hls.js makes in lowLatencyMode on a live LL-HLS playlist, without decoding.
/// The master playlist, the media playlist, the init segment (EXT-X-MAP), the parts from PART-HOLD-BACK (the last three
/// parts) on, then in a loop: a blocking playlist reload for the next part (<c>_HLS_msn</c>, <c>_HLS_part</c>), and
/// every part it lists that was not loaded yet, one at a time, read to the end. With <c>preloadHints</c> the hinted part
/// is requested at once, alongside the reload, and counts as loaded. Without parts in the playlist (standard HLS),
/// segments are loaded instead and the playlist reloaded every target duration.
/// </summary>
internal sealed class LlHlsClient(HttpClient http, Uri masterUrl, LlClientCounters counters, bool preloadHints)
{
    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await PlayAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TaskCanceledException or IOException)
            {
                counters.Error(e.Message);
                await Task.Delay(500, stop).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task PlayAsync(CancellationToken stop)
    {
        var master = await GetStringAsync(masterUrl, stop);
        var mediaLine = master.Split('\n').Select(l => l.Trim()).First(l => l.Length > 0 && !l.StartsWith('#'));
        var mediaUrl = new Uri(masterUrl, mediaLine);
        var playlist = LlPlaylist.Parse(await GetStringAsync(mediaUrl, stop));
        Interlocked.Increment(ref counters.Playlists);
        if (playlist.Map is { } map)
        {
            await LoadAsync(new Uri(mediaUrl, map), stop);
        }

        var loaded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in playlist.Parts.TakeLast(3))
        {
            await LoadPartAsync(mediaUrl, part.Uri, loaded, stop);
        }

        if (!playlist.HasParts)
        {
            foreach (var segment in playlist.Segments.TakeLast(1))
            {
                loaded.Add(segment.Uri);
                await LoadAsync(new Uri(mediaUrl, segment.Uri), stop);
                Interlocked.Increment(ref counters.Segments);
            }
        }

        Task? hinted = null;
        while (!stop.IsCancellationRequested && !playlist.Ended)
        {
            if (playlist.HasParts)
            {
                var (msn, part) = playlist.Next;
                if (preloadHints && playlist.PreloadHint is { } hint && loaded.Add(hint))
                {
                    hinted = LoadHintAsync(new Uri(mediaUrl, hint), stop);
                }

                var separator = mediaUrl.Query.Length > 0 ? "&" : "?";
                var blocking = new Uri(mediaUrl + string.Create(CultureInfo.InvariantCulture, $"{separator}_HLS_msn={msn}&_HLS_part={part}"));
                playlist = LlPlaylist.Parse(await GetStringAsync(blocking, stop));
                Interlocked.Increment(ref counters.BlockingReloads);
                foreach (var p in playlist.Parts.Where(p => p.Msn >= msn))
                {
                    await LoadPartAsync(mediaUrl, p.Uri, loaded, stop);
                }

                if (hinted is { IsCompleted: true })
                {
                    await hinted;
                    hinted = null;
                }
            }
            else
            {
                await Task.Delay(1000, stop);
                playlist = LlPlaylist.Parse(await GetStringAsync(mediaUrl, stop));
                Interlocked.Increment(ref counters.Playlists);
                foreach (var segment in playlist.Segments.Where(s => loaded.Add(s.Uri)).TakeLast(2))
                {
                    await LoadAsync(new Uri(mediaUrl, segment.Uri), stop);
                    Interlocked.Increment(ref counters.Segments);
                }
            }
        }
    }

    private async Task LoadPartAsync(Uri mediaUrl, string uri, HashSet<string> loaded, CancellationToken stop)
    {
        if (loaded.Add(uri))
        {
            await LoadAsync(new Uri(mediaUrl, uri), stop);
            Interlocked.Increment(ref counters.Parts);
        }
    }

    private async Task LoadHintAsync(Uri url, CancellationToken stop)
    {
        try
        {
            await LoadAsync(url, stop);
            Interlocked.Increment(ref counters.Hints);
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TaskCanceledException or IOException)
        {
            if (!stop.IsCancellationRequested)
            {
                counters.Error(e.Message);
            }
        }
    }

    private async Task<string> GetStringAsync(Uri url, CancellationToken stop)
    {
        using var response = await http.GetAsync(url, stop);
        var text = await response.Content.ReadAsStringAsync(stop);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {url.AbsolutePath}: {(int)response.StatusCode} {text[..Math.Min(200, text.Length)]}");
        }

        Interlocked.Add(ref counters.Bytes, text.Length);
        return text;
    }

    private async Task LoadAsync(Uri url, CancellationToken stop)
    {
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, stop);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {url.AbsolutePath}: {(int)response.StatusCode}");
        }

        await using var body = await response.Content.ReadAsStreamAsync(stop);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer, stop)) > 0)
            {
                Interlocked.Add(ref counters.Bytes, read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
