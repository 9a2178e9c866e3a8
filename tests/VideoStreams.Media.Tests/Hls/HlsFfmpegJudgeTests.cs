using System.Globalization;
using VideoStreams.Media.Hls;
using VideoStreams.TestSupport;

namespace VideoStreams.Media.Tests.Hls;

/// <summary>ffmpeg writes a real fMP4 HLS; our writer rewrites its media playlist and ffmpeg must play ours the same.</summary>
public sealed class HlsFfmpegJudgeTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "vs-hls-" + Guid.NewGuid().ToString("N"));

    public HlsFfmpegJudgeTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Our_playlist_of_ffmpegs_fmp4_segments_plays_the_same_frames_as_ffmpegs_own()
    {
        var own = await EncodeAsync("a", seconds: 4);
        var (map, segments) = ParseFfmpegPlaylist(own);
        var start = new DateTimeOffset(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var playlist = new HlsMediaPlaylist
        {
            PlaylistType = HlsPlaylistType.Vod,
            IndependentSegments = true,
            Map = map,
            Segments = segments.Select((s, i) => s with { ProgramDateTime = i == 0 ? start : null }).ToList(),
            EndList = true,
        };
        var ours = await WriteAsync("ours.m3u8", playlist);

        Assert.Equal(4, segments.Count);
        Assert.Equal("", await MediaJudges.FfprobeErrorsAsync(ours));
        var expected = await DecodedFrameHashesAsync(own);
        Assert.Equal(120, expected.Count);
        Assert.Equal(expected, await DecodedFrameHashesAsync(ours));
    }

    [Fact]
    public async Task Two_encodes_joined_with_a_discontinuity_and_a_new_map_keep_every_packet()
    {
        var first = await EncodeAsync("a", seconds: 3);
        var second = await EncodeAsync("b", seconds: 2);
        var (firstMap, firstSegments) = ParseFfmpegPlaylist(first);
        var (secondMap, secondSegments) = ParseFfmpegPlaylist(second);
        var joined = firstSegments.ToList();
        joined.Add(secondSegments[0] with
        {
            Discontinuity = true,
            Map = secondMap,
            ProgramDateTime = new DateTimeOffset(2024, 3, 1, 12, 10, 0, TimeSpan.Zero),
        });
        joined.AddRange(secondSegments.Skip(1));
        var ours = await WriteAsync("joined.m3u8", new HlsMediaPlaylist
        {
            PlaylistType = HlsPlaylistType.Vod,
            Map = firstMap,
            Segments = joined,
            EndList = true,
        });

        Assert.Contains("#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"b-init.mp4\"\n", await File.ReadAllTextAsync(ours), StringComparison.Ordinal);
        Assert.Equal("", await MediaJudges.FfprobeErrorsAsync(ours));
        Assert.Equal(await VideoPacketCountAsync(first) + await VideoPacketCountAsync(second), await VideoPacketCountAsync(ours));
        Assert.Equal(150, await VideoPacketCountAsync(ours));
    }

    [Fact]
    public async Task Byte_range_segments_of_a_single_file_play_the_same_frames()
    {
        var own = Path.Combine(_dir, "single.m3u8");
        (await ToolRunner.RunAsync("ffmpeg", [.. EncodeArgs(3), "-hls_flags", "single_file", "-hls_segment_filename", Path.Combine(_dir, "all.m4s"), own]))
            .EnsureSuccess("ffmpeg hls single_file");
        var (map, segments) = ParseFfmpegPlaylist(own);
        Assert.NotNull(map?.ByteRange);

        // Offsets are dropped after the first segment: each range continues where the previous one ended.
        var ours = await WriteAsync("ours-single.m3u8", new HlsMediaPlaylist
        {
            PlaylistType = HlsPlaylistType.Vod,
            Map = map,
            Segments = segments.Select((s, i) => i == 0 ? s : s with { ByteRange = new HlsByteRange(s.ByteRange!.Value.Length) }).ToList(),
            EndList = true,
        });

        Assert.Contains("#EXT-X-VERSION:6\n", await File.ReadAllTextAsync(ours), StringComparison.Ordinal);
        Assert.Equal("", await MediaJudges.FfprobeErrorsAsync(ours));
        var expected = await DecodedFrameHashesAsync(own);
        Assert.Equal(90, expected.Count);
        Assert.Equal(expected, await DecodedFrameHashesAsync(ours));
    }

    private static string[] EncodeArgs(int seconds) =>
    [
        "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", $"testsrc2=duration={seconds}:size=320x240:rate=30",
        "-c:v", "libx264", "-preset", "veryfast", "-g", "30",
        "-f", "hls", "-hls_segment_type", "fmp4", "-hls_time", "1", "-hls_playlist_type", "vod",
    ];

    private async Task<string> EncodeAsync(string prefix, int seconds)
    {
        var playlist = Path.Combine(_dir, prefix + ".m3u8");
        (await ToolRunner.RunAsync("ffmpeg",
        [
            .. EncodeArgs(seconds),
            "-hls_fmp4_init_filename", prefix + "-init.mp4",
            "-hls_segment_filename", Path.Combine(_dir, prefix + "-seg%d.m4s"),
            playlist,
        ])).EnsureSuccess("ffmpeg hls");
        return playlist;
    }

    private async Task<string> WriteAsync(string name, HlsMediaPlaylist playlist)
    {
        var path = Path.Combine(_dir, name);
        await File.WriteAllTextAsync(path, HlsPlaylistWriter.ToText(playlist));
        return path;
    }

    /// <summary>The map and the segments (duration, byte range, URI) of a playlist ffmpeg wrote.</summary>
    private static (HlsMap? Map, List<HlsSegment> Segments) ParseFfmpegPlaylist(string path)
    {
        HlsMap? map = null;
        var segments = new List<HlsSegment>();
        double? duration = null;
        HlsByteRange? range = null;
        foreach (var line in File.ReadAllLines(path))
        {
            if (line.StartsWith("#EXT-X-MAP:", StringComparison.Ordinal))
            {
                var uri = Attribute(line, "URI")!;
                map = new HlsMap(uri, Attribute(line, "BYTERANGE") is { } r ? ParseRange(r) : null);
            }
            else if (line.StartsWith("#EXTINF:", StringComparison.Ordinal))
            {
                duration = double.Parse(line["#EXTINF:".Length..].TrimEnd(','), CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("#EXT-X-BYTERANGE:", StringComparison.Ordinal))
            {
                range = ParseRange(line["#EXT-X-BYTERANGE:".Length..]);
            }
            else if (line.Length > 0 && line[0] != '#')
            {
                segments.Add(new HlsSegment { Duration = duration!.Value, Uri = line, ByteRange = range });
                range = null;
            }
        }

        return (map, segments);
    }

    private static string? Attribute(string line, string name)
    {
        var at = line.IndexOf(name + "=\"", StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var start = at + name.Length + 2;
        return line[start..line.IndexOf('"', start)];
    }

    private static HlsByteRange ParseRange(string text)
    {
        var parts = text.Split('@');
        return new HlsByteRange(long.Parse(parts[0], CultureInfo.InvariantCulture), parts.Length > 1 ? long.Parse(parts[1], CultureInfo.InvariantCulture) : null);
    }

    /// <summary>One hash per decoded video frame (framemd5), so "same frames" means same count and same pictures.</summary>
    private static async Task<List<string>> DecodedFrameHashesAsync(string playlist)
    {
        var r = await ToolRunner.RunAsync("ffmpeg", "-nostdin", "-v", "error", "-i", playlist, "-map", "0:v", "-fps_mode", "passthrough", "-f", "framemd5", "-");
        r.EnsureSuccess("ffmpeg framemd5 " + playlist);
        Assert.Equal("", r.StdErr.Trim());
        return r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.StartsWith('#'))
            .Select(l => l.Split(',')[^1].Trim())
            .ToList();
    }

    private static async Task<int> VideoPacketCountAsync(string playlist)
    {
        var r = await ToolRunner.RunAsync("ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets", "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", playlist);
        r.EnsureSuccess("ffprobe count packets " + playlist);
        // HLS input also lists the stream under its program: the first line is enough.
        return int.Parse(r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0].Trim(), CultureInfo.InvariantCulture);
    }
}
