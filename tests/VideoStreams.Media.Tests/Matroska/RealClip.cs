using System.Globalization;
using System.Text.Json;
using VideoStreams.Media.Matroska;
using VideoStreams.TestSupport;

namespace VideoStreams.Media.Tests.Matroska;

/// <summary>
/// Real H.264 + AAC frames, as ffprobe hands them out (packet bytes and codec configuration as hex dumps), from the
/// first seconds of a sample: what a producer would feed the writer. Track numbers are stream index + 1, timestamps
/// are milliseconds (the sample's time base).
/// </summary>
public sealed class RealClip : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "vs-mkvclip-" + Guid.NewGuid().ToString("N"));

    public string ClipPath => Path.Combine(_dir, "clip.mkv");

    public IReadOnlyList<MatroskaTrack> Tracks { get; private set; } = [];

    /// <summary>Frames in file (decode) order.</summary>
    public IReadOnlyList<MatroskaFrame> Frames { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        (await ToolRunner.RunAsync("ffmpeg", "-nostdin", "-v", "error", "-i", Samples.PathOf(Samples.Main360p30Aac), "-t", "2.5", "-c", "copy", ClipPath))
            .EnsureSuccess("ffmpeg clip");
        var probe = await ToolRunner.RunAsync("ffprobe", "-v", "error", "-of", "json", "-show_streams", "-show_packets", "-show_data", ClipPath);
        probe.EnsureSuccess("ffprobe -show_data");
        using var json = JsonDocument.Parse(probe.StdOut);

        var tracks = new List<MatroskaTrack>();
        foreach (var s in json.RootElement.GetProperty("streams").EnumerateArray())
        {
            var number = (ulong)s.GetProperty("index").GetInt32() + 1;
            var config = HexDump(s.GetProperty("extradata").GetString()!);
            tracks.Add(s.GetProperty("codec_type").GetString() == "video"
                ? new MatroskaTrack
                {
                    Number = number,
                    Uid = 1000 + number,
                    Type = MatroskaTrackType.Video,
                    CodecId = "V_MPEG4/ISO/AVC",
                    CodecPrivate = config,
                    DefaultDuration = 33_333_333,
                    PixelWidth = s.GetProperty("width").GetInt32(),
                    PixelHeight = s.GetProperty("height").GetInt32(),
                }
                : new MatroskaTrack
                {
                    Number = number,
                    Uid = 1000 + number,
                    Type = MatroskaTrackType.Audio,
                    CodecId = "A_AAC",
                    CodecPrivate = config,
                    SamplingFrequency = double.Parse(s.GetProperty("sample_rate").GetString()!, CultureInfo.InvariantCulture),
                    Channels = s.GetProperty("channels").GetInt32(),
                });
        }

        var frames = new List<MatroskaFrame>();
        foreach (var p in json.RootElement.GetProperty("packets").EnumerateArray())
        {
            frames.Add(new MatroskaFrame(
                (ulong)p.GetProperty("stream_index").GetInt32() + 1,
                p.GetProperty("pts").GetInt64(),
                p.GetProperty("flags").GetString()!.Contains('K', StringComparison.Ordinal),
                (ReadOnlyMemory<byte>)HexDump(p.GetProperty("data").GetString()!)));
        }

        Tracks = tracks;
        Frames = frames;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>Fragments as a KVS producer cuts them: a new cluster at every video key frame.</summary>
    public List<(long Timestamp, MatroskaFrame[] Frames)> Fragments()
    {
        var fragments = new List<(long, MatroskaFrame[])>();
        var current = new List<MatroskaFrame>();
        foreach (var frame in Frames)
        {
            if (frame.IsKeyframe && frame.TrackNumber == 1 && current.Count > 0)
            {
                fragments.Add((ClusterTimestamp(current), current.ToArray()));
                current.Clear();
            }

            current.Add(frame);
        }

        fragments.Add((ClusterTimestamp(current), current.ToArray()));
        return fragments;
    }

    private static long ClusterTimestamp(List<MatroskaFrame> frames) => frames.Min(f => f.Timestamp);

    /// <summary>Parses ffprobe's "00000000: 0000 02f0 ...  ascii" dump lines.</summary>
    private static byte[] HexDump(string dump)
    {
        var bytes = new List<byte>();
        foreach (var line in dump.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // Offset (8 hex + ": "), then up to 8 groups of 4 hex digits in 40 columns, then the ASCII column.
            var hex = line.Substring(10, Math.Min(40, line.Length - 10)).Replace(" ", "", StringComparison.Ordinal);
            for (var i = 0; i + 1 < hex.Length; i += 2)
            {
                bytes.Add(byte.Parse(hex.AsSpan(i, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            }
        }

        return bytes.ToArray();
    }
}
