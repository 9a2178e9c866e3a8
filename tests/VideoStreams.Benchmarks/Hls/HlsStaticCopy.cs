namespace VideoStreams.Benchmarks.Hls;

/// <summary>
/// Our server's answers, written out once as static files for nginx: the media playlist (its init and segment URIs
/// renamed to plain file names) and the init and media segments, byte for byte as our server sent them.
/// </summary>
internal static class HlsStaticCopy
{
    public const string PlaylistName = "media.m3u8";

    /// <summary>The media playlist the session's master playlist names.</summary>
    public static async Task<Uri> MediaPlaylistAsync(HttpClient http, Uri session)
    {
        var master = await http.GetStringAsync(session);
        return HlsPlaylistText.SegmentUris(master, session).FirstOrDefault()
            ?? throw new InvalidOperationException($"the master playlist names no media playlist:\n{master}");
    }

    public static async Task<(int Segments, long Bytes)> WriteAsync(HttpClient http, Uri mediaPlaylist, string folder)
    {
        Directory.CreateDirectory(folder);
        var playlist = await http.GetStringAsync(mediaPlaylist);
        var lines = new List<string>();
        var segments = 0;
        long bytes = 0;
        foreach (var raw in playlist.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("#EXT-X-MAP:URI=\"", StringComparison.Ordinal))
            {
                await SaveAsync(http, HlsPlaylistText.InitUri(line, mediaPlaylist)!, Path.Combine(folder, "init.mp4"));
                line = "#EXT-X-MAP:URI=\"init.mp4\"" + line[(line.IndexOf('"', 16) + 1)..];
            }
            else if (line.Length > 0 && line[0] != '#')
            {
                var name = $"segment-{segments++:D5}.m4s";
                bytes += await SaveAsync(http, new Uri(mediaPlaylist, line), Path.Combine(folder, name));
                line = name;
            }

            lines.Add(line);
        }

        if (segments == 0)
        {
            throw new InvalidOperationException($"the media playlist lists no segments:\n{playlist}");
        }

        await File.WriteAllTextAsync(Path.Combine(folder, PlaylistName), string.Join('\n', lines));
        return (segments, bytes);
    }

    private static async Task<long> SaveAsync(HttpClient http, Uri uri, string path)
    {
        var bytes = await http.GetByteArrayAsync(uri);
        await File.WriteAllBytesAsync(path, bytes);
        return bytes.Length;
    }
}
