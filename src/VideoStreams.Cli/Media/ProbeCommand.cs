using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using VideoStreams.Media.Probe;

namespace VideoStreams.Cli.Media;

/// <summary><c>vs media probe FILE [--json]</c>: tracks, codec strings, duration and keyframe positions.</summary>
internal static class ProbeCommand
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "A Matroska (.mkv/.webm) file." };
        var json = new Option<bool>("--json") { Description = "Print the probe as JSON." };
        var command = new Command("probe", "Describe a media file: tracks, codecs, duration, keyframes.") { file, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(file)!;
            await using var input = OpenInput(path);
            var result = await MediaProbe.ProbeAsync(input, cancellationToken);
            Console.Out.Write(parse.GetValue(json) ? JsonSerializer.Serialize(result, Json) + "\n" : Format(path.Name, result));
            return CliErrors.Ok;
        });
        return command;
    }

    internal static FileStream OpenInput(FileInfo path) =>
        new(path.FullName, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Options = FileOptions.SequentialScan, BufferSize = 0 });

    internal static string Format(string name, MediaProbeResult r)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"{name}: {r.DocType}, {r.DurationSeconds:0.000} s, {r.Size} bytes, {r.Clusters} clusters{(r.MuxingApp is null ? "" : ", muxed by " + r.MuxingApp)}");
        foreach (var t in r.Tracks)
        {
            var codec = t.Codec ?? t.CodecId;
            var details = t.Type switch
            {
                "video" => string.Create(c, $"{t.Width}x{t.Height}, {t.FrameRate:0.###} fps"),
                "audio" => string.Create(c, $"{t.SampleRate} Hz, {t.Channels} ch"),
                _ => t.CodecId,
            };
            text.AppendLine(c, $"  track {t.Number}: {t.Type} {codec} ({t.CodecId}), {details}, {t.Frames} frames, {t.DurationSeconds:0.000} s from {t.StartSeconds:0.000} s, {t.BitRate / 1000} kb/s");
            if (t.Keyframes.Count > 0)
            {
                text.Append(c, $"    keyframes ({t.Keyframes.Count}):");
                foreach (var k in t.Keyframes)
                {
                    text.Append(c, $" {k.TimeSeconds:0.000}s@{k.Offset}");
                }

                text.AppendLine();
            }

            if (t.Configurations.Count > 1)
            {
                foreach (var k in t.Configurations)
                {
                    text.AppendLine(c, $"    from {k.FromSeconds:0.000} s: {k.Codec} {k.Width}x{k.Height}");
                }
            }
        }

        return text.ToString();
    }
}
