using System.Globalization;
using System.Text.Json;

namespace VideoStreams.TestSupport;

/// <summary>One packet as ffprobe reports it.</summary>
public sealed record ProbedPacket(int StreamIndex, string CodecType, double? Pts, double? Dts, double? Duration, int Size, bool IsKey);

/// <summary>One stream as ffprobe reports it.</summary>
public sealed record ProbedStream(int Index, string CodecType, string CodecName, string? Profile, int Width, int Height, int SampleRate, int Channels);

/// <summary>ffprobe's view of a file: streams and every packet, in file order.</summary>
public sealed class FfprobeReport
{
    private FfprobeReport(IReadOnlyList<ProbedStream> streams, IReadOnlyList<ProbedPacket> packets)
    {
        Streams = streams;
        Packets = packets;
    }

    public IReadOnlyList<ProbedStream> Streams { get; }

    public IReadOnlyList<ProbedPacket> Packets { get; }

    /// <summary>Packets of the first stream of <paramref name="codecType"/> ("video" or "audio"), in decode order.</summary>
    public IReadOnlyList<ProbedPacket> PacketsOf(string codecType)
    {
        var stream = Streams.FirstOrDefault(s => s.CodecType == codecType);
        return stream is null ? [] : Packets.Where(p => p.StreamIndex == stream.Index).ToList();
    }

    /// <summary>Runs <c>ffprobe -show_streams -show_packets</c> on a file and parses its JSON.</summary>
    public static async Task<FfprobeReport> ProbeAsync(string path)
    {
        var result = await ToolRunner.RunAsync("ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_packets", path);
        result.EnsureSuccess("ffprobe " + path);
        using var doc = JsonDocument.Parse(result.StdOut);
        var streams = new List<ProbedStream>();
        var types = new Dictionary<int, string>();
        if (doc.RootElement.TryGetProperty("streams", out var ss))
        {
            foreach (var s in ss.EnumerateArray())
            {
                var index = s.GetProperty("index").GetInt32();
                var type = s.GetProperty("codec_type").GetString() ?? "";
                types[index] = type;
                streams.Add(new ProbedStream(
                    index,
                    type,
                    s.TryGetProperty("codec_name", out var cn) ? cn.GetString() ?? "" : "",
                    s.TryGetProperty("profile", out var pr) ? pr.GetString() : null,
                    s.TryGetProperty("width", out var w) ? w.GetInt32() : 0,
                    s.TryGetProperty("height", out var h) ? h.GetInt32() : 0,
                    s.TryGetProperty("sample_rate", out var sr) ? int.Parse(sr.GetString()!, CultureInfo.InvariantCulture) : 0,
                    s.TryGetProperty("channels", out var ch) ? ch.GetInt32() : 0));
            }
        }

        var packets = new List<ProbedPacket>();
        if (doc.RootElement.TryGetProperty("packets", out var ps))
        {
            foreach (var p in ps.EnumerateArray())
            {
                var index = p.GetProperty("stream_index").GetInt32();
                packets.Add(new ProbedPacket(
                    index,
                    types.GetValueOrDefault(index, ""),
                    Seconds(p, "pts_time"),
                    Seconds(p, "dts_time"),
                    Seconds(p, "duration_time"),
                    p.TryGetProperty("size", out var size) ? int.Parse(size.GetString()!, CultureInfo.InvariantCulture) : 0,
                    p.TryGetProperty("flags", out var flags) && (flags.GetString() ?? "").Contains('K', StringComparison.Ordinal)));
            }
        }

        return new FfprobeReport(streams, packets);
    }

    private static double? Seconds(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.GetString() is { } s && s != "N/A"
            ? double.Parse(s, CultureInfo.InvariantCulture)
            : null;
}
