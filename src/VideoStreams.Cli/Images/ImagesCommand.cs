using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using VideoStreams.Cli.Remote;

namespace VideoStreams.Cli.Images;

/// <summary>
/// <c>vs images STREAM --from --to --every 10s -o DIR</c>: GetImages over any range (asked 300 s at a time, every
/// page), one file per image, and the sample times without one reported (NO_MEDIA: no fragment there; MEDIA_ERROR).
/// </summary>
internal static class ImagesCommand
{
    private static readonly TimeSpan MaxRequestSpan = TimeSpan.FromSeconds(300);

    private sealed record Entry(long TimeMs, string? File, string? Error);

    public static Command Create()
    {
        var stream = new Argument<string>("stream") { Description = "The stream's name." };
        var from = Times.Option("--from", "The first sample time.", required: true);
        var to = Times.Option("--to", "The last sample time (inclusive; default now).");
        var every = Times.DurationOption("--every", "Time between samples (at least 200ms).", TimeSpan.FromSeconds(3));
        var output = new Option<DirectoryInfo>("--output", "-o") { Description = "The folder for the images (created if missing).", Required = true, HelpName = "DIR" };
        var format = new Option<string>("--format") { Description = "jpeg or png.", DefaultValueFactory = _ => "jpeg" }.AcceptOnlyFromAmong("jpeg", "png");
        var width = new Option<int?>("--width") { Description = "Width in pixels (alone: the height follows the aspect ratio)." };
        var height = new Option<int?>("--height") { Description = "Height in pixels (alone: the width follows the aspect ratio)." };
        var quality = new Option<int?>("--quality") { Description = "JPEG quality 1–100 (server default 80)." };
        var clock = Times.ClockOption("producer");
        var command = new Command("images", "Stills from a stream (GetImages): one file per sample time, named by that time.")
        {
            stream, from, to, every, output, format, width, height, quality, clock,
        };
        return command.WithExamples(
            "vs images lobby --from -10m --every 10s -o stills/",
            "vs images lobby --from 2026-11-26T13:00:00Z --to 2026-11-26T13:05:00Z --every 1s --width 320 --format png -o thumbs/ --json").WithConnection().OnServer(async (parse, client, ct) =>
        {
            var name = parse.GetValue(stream)!;
            var start = parse.GetValue(from)!.Value;
            var end = parse.GetValue(to) ?? TimeProvider.System.GetUtcNow();
            var interval = parse.GetValue(every)!.Value;
            var folder = parse.GetValue(output)!;
            var extension = parse.GetValue(format) == "png" ? "png" : "jpg";
            var producer = parse.GetValue(clock) == "producer";
            if (end < start)
            {
                throw new CliException(CliErrors.BadInput, "--to is before --from");
            }

            folder.Create();
            var entries = new List<Entry>();
            // Whole sample steps per request, so the sample grid continues across requests.
            var perRequest = Math.Max(1, (long)(MaxRequestSpan / interval)) * interval;
            for (var windowStart = start; windowStart <= end; windowStart += perRequest + interval)
            {
                var windowEnd = windowStart + perRequest < end ? windowStart + perRequest : end;
                string? token = null;
                do
                {
                    using var answer = await client.KvsAsync("getImages", w =>
                    {
                        w.WriteString("StreamName", name);
                        w.WriteString("ImageSelectorType", producer ? "PRODUCER_TIMESTAMP" : "SERVER_TIMESTAMP");
                        w.WriteNumber("StartTimestamp", Times.EpochSeconds(windowStart));
                        w.WriteNumber("EndTimestamp", Times.EpochSeconds(windowEnd));
                        w.WriteNumber("SamplingInterval", (long)interval.TotalMilliseconds);
                        w.WriteString("Format", extension == "png" ? "PNG" : "JPEG");
                        if (parse.GetValue(quality) is { } q)
                        {
                            w.WriteStartObject("FormatConfig");
                            w.WriteString("JPEGQuality", q.ToString(CultureInfo.InvariantCulture));
                            w.WriteEndObject();
                        }

                        if (parse.GetValue(width) is { } wp)
                        {
                            w.WriteNumber("WidthPixels", wp);
                        }

                        if (parse.GetValue(height) is { } hp)
                        {
                            w.WriteNumber("HeightPixels", hp);
                        }

                        w.WriteNumber("MaxResults", 100);
                        if (token is not null)
                        {
                            w.WriteString("NextToken", token);
                        }
                    }, ct);
                    foreach (var image in answer.RootElement.GetProperty("Images").EnumerateArray())
                    {
                        var time = Times.FromKvs(image.GetProperty("TimeStamp"));
                        if (image.TryGetProperty("ImageContent", out var content) && content.ValueKind == JsonValueKind.String)
                        {
                            var file = Path.Combine(folder.FullName, $"{name}-{DateTimeOffset.FromUnixTimeMilliseconds(time).UtcDateTime:yyyyMMdd'T'HHmmss'.'fff'Z'}.{extension}");
                            await File.WriteAllBytesAsync(file, content.GetBytesFromBase64(), ct);
                            entries.Add(new Entry(time, file, null));
                        }
                        else
                        {
                            entries.Add(new Entry(time, null, image.TryGetProperty("Error", out var error) ? error.GetString() : "NO_IMAGE"));
                        }
                    }

                    token = answer.RootElement.TryGetProperty("NextToken", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
                }
                while (!string.IsNullOrEmpty(token));
            }

            var missing = entries.Count(e => e.File is null);
            if (parse.GetValue(GlobalOptions.Json))
            {
                Output.Json(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("stream", name);
                    w.WriteString("clock", producer ? "producer" : "server");
                    w.WriteString("directory", folder.FullName);
                    w.WriteNumber("written", entries.Count - missing);
                    w.WriteNumber("missing", missing);
                    w.WriteStartArray("images");
                    foreach (var e in entries)
                    {
                        w.WriteStartObject();
                        w.WriteString("time", Times.Iso(e.TimeMs));
                        w.WriteNumber("timeMs", e.TimeMs);
                        w.WriteString("file", e.File);
                        w.WriteString("error", e.Error);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                });
                return CliErrors.Ok;
            }

            var table = Output.Table("TIME", "FILE OR ERROR");
            foreach (var e in entries)
            {
                table.AddRow(Output.Cell(Times.Iso(e.TimeMs)), e.File is null ? new Markup($"[red]{Markup.Escape(e.Error!)}[/]") : Output.Cell(Path.GetFileName(e.File)));
            }

            Output.Stdout.Write(table);
            Output.Line($"{entries.Count - missing} images written to {folder.FullName}, {missing} missing");
            return CliErrors.Ok;
        });
    }
}
