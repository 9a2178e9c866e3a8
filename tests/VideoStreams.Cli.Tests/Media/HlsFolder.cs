using System.Globalization;
using System.Text.RegularExpressions;

namespace VideoStreams.Cli.Tests.Media;

/// <summary>An HLS folder as a player meets it: the two playlists, read line by line (RFC 8216 §4).</summary>
internal sealed partial class HlsFolder
{
    public HlsFolder(string path)
    {
        Path = path;
        Master = File.ReadAllText(System.IO.Path.Combine(path, "master.m3u8"));
        Index = File.ReadAllText(System.IO.Path.Combine(path, "index.m3u8"));
        var lines = Index.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Segments = lines.Where(l => !l.StartsWith('#')).ToList();
        Durations = lines.Where(l => l.StartsWith("#EXTINF:", StringComparison.Ordinal))
            .Select(l => double.Parse(l["#EXTINF:".Length..].TrimEnd(','), CultureInfo.InvariantCulture))
            .ToList();
        Maps = MapUri().Matches(Index).Select(m => m.Groups[1].Value).ToList();
        TargetDuration = int.Parse(TargetDurationTag().Match(Index).Groups[1].Value, CultureInfo.InvariantCulture);
    }

    public string Path { get; }

    public string Master { get; }

    public string Index { get; }

    /// <summary>Media segment URIs, in playlist order.</summary>
    public IReadOnlyList<string> Segments { get; }

    /// <summary>EXTINF durations, in playlist order.</summary>
    public IReadOnlyList<double> Durations { get; }

    /// <summary>EXT-X-MAP URIs, in playlist order.</summary>
    public IReadOnlyList<string> Maps { get; }

    public int TargetDuration { get; }

    public string IndexPath => System.IO.Path.Combine(Path, "index.m3u8");

    /// <summary>The master playlist's CODECS attribute.</summary>
    public string Codecs => CodecsAttribute().Match(Master).Groups[1].Value;

    /// <summary>The master playlist's RESOLUTION attribute.</summary>
    public string Resolution => ResolutionAttribute().Match(Master).Groups[1].Value;

    /// <summary>Every file in the folder, sorted.</summary>
    public IReadOnlyList<string> Files => Directory.GetFiles(Path).Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal).ToList()!;

    [GeneratedRegex(@"#EXT-X-MAP:URI=""([^""]+)""")]
    private static partial Regex MapUri();

    [GeneratedRegex(@"#EXT-X-TARGETDURATION:(\d+)")]
    private static partial Regex TargetDurationTag();

    [GeneratedRegex(@"CODECS=""([^""]*)""")]
    private static partial Regex CodecsAttribute();

    [GeneratedRegex(@"RESOLUTION=(\d+x\d+)")]
    private static partial Regex ResolutionAttribute();
}
