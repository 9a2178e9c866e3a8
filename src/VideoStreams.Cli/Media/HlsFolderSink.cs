using System.Globalization;
using VideoStreams.Media.Hls;
using VideoStreams.Media.Remux;

namespace VideoStreams.Cli.Media;

/// <summary>Writes CMAF output as an HLS VOD folder: init-N.mp4, segment-NNNNN.m4s, index.m3u8 and master.m3u8.</summary>
internal sealed class HlsFolderSink(DirectoryInfo folder) : ICmafSegmentSink
{
    public const string MediaPlaylist = "index.m3u8";
    public const string MultivariantPlaylist = "master.m3u8";

    private readonly List<HlsSegment> _segments = [];
    private readonly List<CmafInitSegment> _inits = [];
    private long _bytes;
    private double _seconds;

    public int Segments => _segments.Count;

    public int Inits => _inits.Count;

    public void OnInitSegment(in CmafInitSegment init)
    {
        Write(InitName(init.Index), init.Bytes.Span);
        _inits.Add(init with { Bytes = default });
    }

    public void OnMediaSegment(in CmafMediaSegment segment)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"segment-{segment.SequenceNumber:00000}.m4s");
        Write(name, segment.Bytes.Span);
        _bytes += segment.Bytes.Length;
        _seconds += segment.DurationSeconds;
        _segments.Add(new HlsSegment
        {
            Duration = segment.DurationSeconds,
            Uri = name,
            Discontinuity = segment.Discontinuity,
            Map = segment.Discontinuity ? new HlsMap(InitName(segment.InitIndex)) : null,
        });
    }

    public void WritePlaylists()
    {
        var media = new HlsMediaPlaylist
        {
            PlaylistType = HlsPlaylistType.Vod,
            IndependentSegments = true,
            Map = new HlsMap(InitName(0)),
            Segments = _segments,
            EndList = true,
        };
        File.WriteAllText(Path.Combine(folder.FullName, MediaPlaylist), HlsPlaylistWriter.ToText(media));

        // The first configuration describes the variant; players adapt to later ones through the discontinuity's new map.
        var first = _inits.Count > 0 ? _inits[0] : default;
        var variant = new HlsVariantStream
        {
            Bandwidth = (long)Math.Ceiling(_seconds > 0 ? _bytes * 8 / _seconds * 1.2 : 1),
            Codecs = first.Codecs,
            Width = first.Width,
            Height = first.Height,
            Uri = MediaPlaylist,
        };
        var multivariant = new HlsMultivariantPlaylist { IndependentSegments = true, Variants = [variant] };
        File.WriteAllText(Path.Combine(folder.FullName, MultivariantPlaylist), HlsPlaylistWriter.ToText(multivariant));
    }

    private static string InitName(int index) => string.Create(CultureInfo.InvariantCulture, $"init-{index}.mp4");

    private void Write(string name, ReadOnlySpan<byte> bytes)
    {
        using var file = new FileStream(Path.Combine(folder.FullName, name), FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        file.Write(bytes);
    }
}
