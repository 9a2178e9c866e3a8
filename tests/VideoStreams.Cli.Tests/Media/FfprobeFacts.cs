using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using VideoStreams.TestSupport;

namespace VideoStreams.Cli.Tests.Media;

/// <summary>One stream as ffprobe sees it, with the RFC 6381 codec string its codec configuration spells.</summary>
internal sealed record FfprobeStream(int Index, string Type, int Width, int Height, int SampleRate, int Channels, string? Codec);

/// <summary>One packet as ffprobe sees it: presentation time, byte position of its data, keyframe flag.</summary>
internal sealed record FfprobePacket(int Stream, double Pts, long Pos, bool IsKey);

/// <summary>
/// ffprobe's account of a file — the judge for what <c>vs media probe</c> prints. Codec strings come from ffprobe's
/// extradata dump (avcC profile/compatibility/level bytes; AudioSpecificConfig object type), not from our code.
/// </summary>
internal sealed class FfprobeFacts
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<FfprobeFacts>>> Cache = new();

    private FfprobeFacts(IReadOnlyList<FfprobeStream> streams, IReadOnlyList<FfprobePacket> packets)
    {
        Streams = streams;
        Packets = packets;
    }

    public IReadOnlyList<FfprobeStream> Streams { get; }

    public IReadOnlyList<FfprobePacket> Packets { get; }

    public FfprobeStream Video => Streams.Single(s => s.Type == "video");

    public IReadOnlyList<FfprobePacket> PacketsOf(FfprobeStream stream) => Packets.Where(p => p.Stream == stream.Index).ToList();

    public IReadOnlyList<FfprobePacket> KeyframesOf(FfprobeStream stream) => Packets.Where(p => p.Stream == stream.Index && p.IsKey).ToList();

    /// <summary>The facts of a sample in media-samples/, probed once per test run.</summary>
    public static Task<FfprobeFacts> OfSampleAsync(string sample) =>
        Cache.GetOrAdd(sample, name => new Lazy<Task<FfprobeFacts>>(() => ProbeAsync(Samples.PathOf(name)))).Value;

    public static async Task<FfprobeFacts> ProbeAsync(string path)
    {
        var result = await ToolRunner.RunAsync(
            "ffprobe", "-v", "error", "-show_data", "-print_format", "json",
            "-show_entries", "stream=index,codec_type,codec_name,width,height,sample_rate,channels,extradata:packet=stream_index,pts_time,pos,flags",
            path);
        result.EnsureSuccess("ffprobe " + path);
        using var doc = JsonDocument.Parse(result.StdOut);
        var streams = doc.RootElement.GetProperty("streams").EnumerateArray().Select(s => new FfprobeStream(
            s.GetProperty("index").GetInt32(),
            s.GetProperty("codec_type").GetString()!,
            s.TryGetProperty("width", out var w) ? w.GetInt32() : 0,
            s.TryGetProperty("height", out var h) ? h.GetInt32() : 0,
            s.TryGetProperty("sample_rate", out var sr) ? int.Parse(sr.GetString()!, CultureInfo.InvariantCulture) : 0,
            s.TryGetProperty("channels", out var ch) ? ch.GetInt32() : 0,
            CodecString(s.GetProperty("codec_name").GetString()!, s.TryGetProperty("extradata", out var x) ? HexDump(x.GetString()!) : []))).ToList();
        var packets = doc.RootElement.GetProperty("packets").EnumerateArray().Select(p => new FfprobePacket(
            p.GetProperty("stream_index").GetInt32(),
            double.Parse(p.GetProperty("pts_time").GetString()!, CultureInfo.InvariantCulture),
            long.Parse(p.GetProperty("pos").GetString()!, CultureInfo.InvariantCulture),
            p.GetProperty("flags").GetString()!.Contains('K', StringComparison.Ordinal))).ToList();
        return new FfprobeFacts(streams, packets);
    }

    // RFC 6381 §3.3 / ISO 14496-15: avc1.PPCCLL from the avcC's profile, compatibility and level bytes;
    // ISO 14496-3: mp4a.40.N with N the AudioSpecificConfig's audio object type (5 bits, 31 escapes to 32 + 6 bits).
    private static string? CodecString(string codecName, byte[] extradata) => codecName switch
    {
        "h264" when extradata.Length >= 4 && extradata[0] == 1 => $"avc1.{extradata[1]:x2}{extradata[2]:x2}{extradata[3]:x2}",
        "aac" when extradata.Length >= 2 => (extradata[0] >> 3) is var aot && aot == 31
            ? $"mp4a.40.{32 + (((extradata[0] & 0x07) << 3) | (extradata[1] >> 5))}"
            : $"mp4a.40.{extradata[0] >> 3}",
        _ => null,
    };

    // ffprobe prints extradata as "OFFSET: xxxx xxxx … (8 groups)  ascii" lines.
    private static byte[] HexDump(string dump)
    {
        var hex = new System.Text.StringBuilder();
        foreach (var line in dump.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            var groups = line[(colon + 2)..];
            hex.Append(groups[..Math.Min(groups.Length, 39)].Replace(" ", "", StringComparison.Ordinal));
        }

        return Convert.FromHexString(hex.ToString());
    }
}
