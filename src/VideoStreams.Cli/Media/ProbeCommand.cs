using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using VideoStreams.Media;
using VideoStreams.Media.Probe;

namespace VideoStreams.Cli.Media;

/// <summary><c>vs media probe FILE [--json]</c>: tracks, codec strings, duration and keyframe positions.</summary>
internal static class ProbeCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "A Matroska (.mkv/.webm) file." };
        var json = new Option<bool>("--json") { Description = "Print the probe as JSON." };
        var command = new Command("probe", "Describe a media file: tracks, codecs, duration, keyframes.") { file, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(file)!;
            MediaProbeResult result;
            try
            {
                await using var input = Paths.OpenInput(path);
                result = await MediaProbe.ProbeAsync(input, cancellationToken);
            }
            catch (MediaFormatException e)
            {
                throw CliErrors.InvalidMedia(path, e);
            }

            Console.Out.Write(parse.GetValue(json) ? JsonSerializer.Serialize(result, ProbeJson.Default.MediaProbeResult) + "\n" : Format(path.Name, result));
            return CliErrors.Ok;
        });
        return command;
    }

    internal static string Format(string name, MediaProbeResult r)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"{name}: {r.DocType}, {r.DurationSeconds:0.000} s, {r.Size} bytes, {r.Clusters} clusters{(r.MuxingApp is null ? "" : ", muxed by " + r.MuxingApp)}");
        foreach (var t in r.Tracks)
        {
            // Codecs without an RFC 6381 string are named once, by their Matroska id.
            var codec = t.Codec is null ? t.CodecId : $"{t.Codec} ({t.CodecId})";
            var details = t.Type switch
            {
                "video" => string.Create(c, $"{t.Width}x{t.Height}, {t.FrameRate:0.###} fps"),
                "audio" => string.Create(c, $"{t.SampleRate} Hz, {t.Channels} ch"),
                _ => null,
            };
            text.AppendLine(c, $"  track {t.Number}: {t.Type} {codec}, {(details is null ? "" : details + ", ")}{t.Frames} frames, {t.DurationSeconds:0.000} s from {t.StartSeconds:0.000} s, {t.BitRate / 1000} kb/s");
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
