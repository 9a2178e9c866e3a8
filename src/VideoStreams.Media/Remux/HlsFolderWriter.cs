using System.Globalization;
using Microsoft.Win32.SafeHandles;
using VideoStreams.Media.Hls;
using VideoStreams.Media.Matroska;

namespace VideoStreams.Media.Remux;

/// <summary>
/// Writes CMAF output as an HLS VOD folder: <c>init-N.mp4</c> (a new one after each configuration change, behind an
/// EXT-X-DISCONTINUITY), <c>segment-NNNNN.m4s</c>, the media playlist <c>index.m3u8</c> and <c>master.m3u8</c>.
/// </summary>
public sealed class HlsFolderWriter(DirectoryInfo folder) : ICmafSegmentSink
{
    /// <summary>File name of the media playlist.</summary>
    public const string MediaPlaylist = "index.m3u8";

    /// <summary>File name of the multivariant playlist.</summary>
    public const string MultivariantPlaylist = "master.m3u8";

    private readonly List<HlsSegment> _segments = [];
    private readonly List<CmafInitSegment> _inits = [];
    private long _bytes;
    private double _seconds;

    /// <summary>Media segments written.</summary>
    public int Segments => _segments.Count;

    /// <summary>Init segments written.</summary>
    public int Inits => _inits.Count;

    /// <summary>Remuxes a Matroska file into <paramref name="folder"/> as fMP4 HLS VOD, reading it synchronously.</summary>
    /// <exception cref="MediaFormatException">The input is malformed, truncated, or has no H.264/AAC track.</exception>
    public static HlsFolderWriter Remux(SafeFileHandle matroska, DirectoryInfo folder, CmafSegmenterOptions? options = null)
    {
        folder.Create();
        var writer = new HlsFolderWriter(folder);
        using (var segmenter = new CmafSegmenter(writer, options))
        {
            new MatroskaReader().ReadFile(matroska, segmenter.Handle);
            segmenter.Complete();
        }

        writer.WritePlaylists();
        return writer;
    }

    /// <summary>Remuxes a Matroska stream into <paramref name="folder"/> as fMP4 HLS VOD.</summary>
    /// <exception cref="MediaFormatException">The input is malformed, truncated, or has no H.264/AAC track.</exception>
    public static async Task<HlsFolderWriter> RemuxAsync(Stream matroska, DirectoryInfo folder, CmafSegmenterOptions? options = null, CancellationToken cancellationToken = default)
    {
        folder.Create();
        var writer = new HlsFolderWriter(folder);
        using (var segmenter = new CmafSegmenter(writer, options))
        {
            await new MatroskaReader().ReadAsync(matroska, segmenter.Handle, cancellationToken).ConfigureAwait(false);
            segmenter.Complete();
        }

        writer.WritePlaylists();
        return writer;
    }

    /// <inheritdoc/>
    public void OnInitSegment(in CmafInitSegment init)
    {
        Write(InitName(init.Index), init.Bytes.Span);
        _inits.Add(init with { Bytes = default });
    }

    /// <inheritdoc/>
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

    /// <summary>Writes both playlists for what has been received (call once, after the segmenter completes).</summary>
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
