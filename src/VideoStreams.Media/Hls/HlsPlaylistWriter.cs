using System.Buffers;
using System.Text;

namespace VideoStreams.Media.Hls;

/// <summary>
/// Writes HLS playlists as UTF-8 text with LF line ends. The playlist is checked first (so nothing is written when a
/// rule is broken), then written with no allocation per line. Broken rules are programmer errors and throw
/// <see cref="ArgumentException"/>.
/// </summary>
public static partial class HlsPlaylistWriter
{
    /// <summary>Writes a Media Playlist to <paramref name="output"/>.</summary>
    /// <exception cref="ArgumentException">The playlist breaks a rule of the specification.</exception>
    public static void Write(HlsMediaPlaylist playlist, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(playlist);
        ArgumentNullException.ThrowIfNull(output);
        var (version, targetDuration) = Validate(playlist);
        WriteMedia(new HlsTextWriter(output), playlist, version, targetDuration);
    }

    /// <summary>Writes a Media Playlist to a string.</summary>
    /// <exception cref="ArgumentException">The playlist breaks a rule of the specification.</exception>
    public static string ToText(HlsMediaPlaylist playlist)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        Write(playlist, buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes a Multivariant Playlist to <paramref name="output"/>.</summary>
    /// <exception cref="ArgumentException">The playlist breaks a rule of the specification.</exception>
    public static void Write(HlsMultivariantPlaylist playlist, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(playlist);
        ArgumentNullException.ThrowIfNull(output);
        var version = Validate(playlist);
        WriteMultivariant(new HlsTextWriter(output), playlist, version);
    }

    /// <summary>Writes a Multivariant Playlist to a string.</summary>
    /// <exception cref="ArgumentException">The playlist breaks a rule of the specification.</exception>
    public static string ToText(HlsMultivariantPlaylist playlist)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        Write(playlist, buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// The lowest EXT-X-VERSION the playlist's features need: 3 for decimal EXTINF durations (always written),
    /// 4 with EXT-X-BYTERANGE, 6 with EXT-X-MAP, 9 with EXT-X-SKIP. The other low-latency tags need no particular version.
    /// </summary>
    public static int MinimumVersion(HlsMediaPlaylist playlist)
    {
        ArgumentNullException.ThrowIfNull(playlist);
        if (playlist.SkippedSegments > 0)
        {
            return 9; // EXT-X-SKIP (delta updates) needs version 9
        }

        var version = 3;
        var segments = playlist.Segments;
        for (var i = 0; i < segments.Count; i++)
        {
            var segment = segments[i] ?? throw new ArgumentException($"Segment {i} is null.", nameof(playlist));
            if (segment.Map is not null)
            {
                return 6;
            }

            if (segment.ByteRange is not null)
            {
                version = 4;
            }
        }

        return playlist.Map is not null || playlist.PendingSegment?.Map is not null ? 6 : version;
    }

    /// <summary>
    /// The target duration the segments need: the longest EXTINF duration (as written, to the millisecond) rounded
    /// to the nearest integer, and at least 1.
    /// </summary>
    public static int ComputeTargetDuration(IReadOnlyList<HlsSegment> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        var max = 1L;
        for (var i = 0; i < segments.Count; i++)
        {
            var duration = (segments[i] ?? throw new ArgumentException($"Segment {i} is null.", nameof(segments))).Duration;
            CheckSeconds(duration);
            max = Math.Max(max, RoundedSeconds(duration));
        }

        return (int)Math.Min(max, int.MaxValue);
    }

    private static long RoundedSeconds(double seconds) =>
        (long)Math.Round(AsWritten(seconds), MidpointRounding.AwayFromZero);

    // Rules compare what a client will read, and the writer keeps three decimals.
    private static double AsWritten(double seconds) => Math.Round(seconds, 3, MidpointRounding.AwayFromZero);
}
