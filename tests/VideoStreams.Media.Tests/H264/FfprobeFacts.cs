using System.Globalization;
using System.Text.Json;
using VideoStreams.TestSupport;

namespace VideoStreams.Media.Tests.H264;

/// <summary>What ffprobe says about one stream: the judge our parsers are compared with.</summary>
internal sealed record StreamFacts(
    string Profile,
    int Width,
    int Height,
    int Level,
    string FrameRate,
    string SampleAspectRatio,
    string PixelFormat,
    int HasBFrames,
    string ColorRange,
    string ColorPrimaries,
    int SampleRate,
    int Channels);

/// <summary>Small ffprobe queries the shared <see cref="FfprobeReport"/> does not cover (extradata, level, rates).</summary>
internal static class FfprobeFacts
{
    /// <summary>The codec extradata (avcC, AudioSpecificConfig) of the first stream matching <paramref name="selector"/>.</summary>
    public static async Task<byte[]> ExtradataAsync(string path, string selector)
    {
        var r = await ToolRunner.RunAsync("ffprobe", "-v", "error", "-select_streams", selector, "-show_streams", "-show_data", path);
        r.EnsureSuccess("ffprobe extradata " + path);
        var bytes = new List<byte>();
        var inData = false;
        foreach (var line in r.StdOut.Split('\n'))
        {
            if (line.StartsWith("extradata=", StringComparison.Ordinal))
            {
                inData = true;
                continue;
            }

            // Hex dump lines: "00000010: 05bb 0110 0000 0300 1000 0003 03c0 f183  ................"
            if (inData && line.Length > 10 && line[8] == ':')
            {
                var hex = line.Substring(10, Math.Min(39, line.Length - 10)).Replace(" ", "", StringComparison.Ordinal);
                bytes.AddRange(Convert.FromHexString(hex));
            }
            else
            {
                inData = false;
            }
        }

        return [.. bytes];
    }

    /// <summary>Stream facts of the first stream matching <paramref name="selector"/>.</summary>
    public static async Task<StreamFacts> StreamAsync(string path, string selector)
    {
        var r = await ToolRunner.RunAsync(
            "ffprobe", "-v", "error", "-select_streams", selector, "-of", "json", "-show_entries",
            "stream=profile,width,height,level,r_frame_rate,sample_aspect_ratio,pix_fmt,has_b_frames,color_range,color_primaries,sample_rate,channels",
            path);
        r.EnsureSuccess("ffprobe stream " + path);
        using var doc = JsonDocument.Parse(r.StdOut);
        var s = doc.RootElement.GetProperty("streams")[0];
        return new StreamFacts(
            Str(s, "profile"),
            Int(s, "width"),
            Int(s, "height"),
            Int(s, "level"),
            Str(s, "r_frame_rate"),
            Str(s, "sample_aspect_ratio"),
            Str(s, "pix_fmt"),
            Int(s, "has_b_frames"),
            Str(s, "color_range"),
            Str(s, "color_primaries"),
            Int(s, "sample_rate"),
            Int(s, "channels"));
    }

    /// <summary>Width and height of every decoded video frame (works for raw streams without timestamps).</summary>
    public static async Task<IReadOnlyList<(int Width, int Height)>> DecodedFrameSizesAsync(string path)
    {
        var r = await ToolRunner.RunAsync("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=width,height", "-of", "csv=p=0", path);
        r.EnsureSuccess("ffprobe frames " + path);
        return r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(','))
            .Select(p => (int.Parse(p[0], CultureInfo.InvariantCulture), int.Parse(p[1], CultureInfo.InvariantCulture)))
            .ToList();
    }

    private static string Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ToString() : "";

    private static int Int(JsonElement e, string name) =>
        !e.TryGetProperty(name, out var v) ? 0
        : v.ValueKind == JsonValueKind.Number ? v.GetInt32()
        : int.Parse(v.GetString()!, CultureInfo.InvariantCulture);
}

/// <summary>A unique folder under the temp path, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "vs-h264-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
    }
}
