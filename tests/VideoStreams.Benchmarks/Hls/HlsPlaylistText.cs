namespace VideoStreams.Benchmarks.Hls;

/// <summary>The few parts of an HLS playlist the benchmark follows: URI lines and EXT-X-MAP's URI.</summary>
internal static class HlsPlaylistText
{
    /// <summary>Every URI line (not a tag, not blank), resolved against the playlist's URL.</summary>
    public static IEnumerable<Uri> SegmentUris(string playlist, Uri baseUri)
    {
        foreach (var line in playlist.Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.Length > 0 && trimmed[0] != '#')
            {
                yield return new Uri(baseUri, trimmed);
            }
        }
    }

    /// <summary>The init segment of an fMP4 playlist (<c>#EXT-X-MAP:URI="…"</c>), or null.</summary>
    public static Uri? InitUri(string playlist, Uri baseUri)
    {
        const string Tag = "#EXT-X-MAP:URI=\"";
        var start = playlist.IndexOf(Tag, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += Tag.Length;
        return new Uri(baseUri, playlist[start..playlist.IndexOf('"', start)]);
    }
}
