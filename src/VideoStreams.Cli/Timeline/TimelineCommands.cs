using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using VideoStreams.Cli.Remote;

namespace VideoStreams.Cli.Timeline;

/// <summary><c>vs extent STREAM</c> and <c>vs gaps STREAM --from --to</c>: the server's timeline endpoints.</summary>
internal static class TimelineCommands
{
    public static Command Extent()
    {
        var stream = new Argument<string>("stream") { Description = "The stream's name." };
        var clock = Times.ClockOption("producer");
        var command = new Command("extent", "The first and last timestamps of a stream's stored fragments, and how many there are.") { stream, clock };
        return command.WithExamples("vs extent lobby", "vs extent lobby --clock server --json | jq .endMs").WithConnection().OnServer(async (parse, client, ct) =>
        {
            var name = parse.GetValue(stream)!;
            using var answer = await client.GetJsonAsync($"v1/streams/{Uri.EscapeDataString(name)}/extent?clock={parse.GetValue(clock)}", ct);
            var root = answer.RootElement;
            if (parse.GetValue(GlobalOptions.Json))
            {
                // The server's documented shape (docs/PLAYBACK.md), passed through.
                Output.Json(root.WriteTo);
                return CliErrors.Ok;
            }

            var count = root.GetProperty("fragmentCount").GetInt64();
            if (count == 0 || root.GetProperty("startMs").ValueKind == JsonValueKind.Null)
            {
                Output.Line($"{name}: no stored fragments");
                return CliErrors.Ok;
            }

            var start = root.GetProperty("startMs").GetInt64();
            var end = root.GetProperty("endMs").GetInt64();
            var table = Output.Table("FIELD", "VALUE");
            table.AddRow(Output.Cell("stream"), Output.Cell(name));
            table.AddRow(Output.Cell("clock"), Output.Cell(root.GetProperty("clock").GetString()));
            table.AddRow(Output.Cell("start"), Output.Cell(Times.Iso(start)));
            table.AddRow(Output.Cell("end"), Output.Cell(Times.Iso(end)));
            table.AddRow(Output.Cell("span"), Output.Cell(Span(end - start)));
            table.AddRow(Output.Cell("fragments"), Output.Cell(count.ToString(CultureInfo.InvariantCulture)));
            table.AddRow(Output.Cell("first"), Output.Cell(root.GetProperty("first").GetProperty("fragmentNumber").GetString()));
            table.AddRow(Output.Cell("last"), Output.Cell(root.GetProperty("last").GetProperty("fragmentNumber").GetString()));
            Output.Stdout.Write(table);
            return CliErrors.Ok;
        });
    }

    public static Command Gaps()
    {
        var stream = new Argument<string>("stream") { Description = "The stream's name." };
        var from = Times.Option("--from", "Start of the range.", required: true);
        var to = Times.Option("--to", "End of the range (default now).");
        var clock = Times.ClockOption("producer");
        var minGap = Times.DurationOption("--min-gap", "Report only gaps longer than this (default 1s; 0ms reports every uncovered millisecond).");
        minGap.CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (Times.TryParseDuration(text, out var span))
            {
                return span;
            }

            result.AddError($"--min-gap: '{text}' is not a duration (like 1s, 200ms)");
            return null;
        };
        var command = new Command("gaps", "The spans of a range that no stored fragment covers (recording holes), oldest first.") { stream, from, to, clock, minGap };
        return command.WithExamples("vs gaps lobby --from -24h", "vs gaps lobby --from 2026-11-20T00:00:00Z --to 2026-11-27T00:00:00Z --min-gap 30s --json")
            .WithConnection().OnServer(async (parse, client, ct) =>
        {
            var name = parse.GetValue(stream)!;
            var start = parse.GetValue(from)!.Value.ToUnixTimeMilliseconds();
            var end = (parse.GetValue(to) ?? TimeProvider.System.GetUtcNow()).ToUnixTimeMilliseconds();
            var url = string.Create(CultureInfo.InvariantCulture, $"v1/streams/{Uri.EscapeDataString(name)}/gaps?start={start}&end={end}&clock={parse.GetValue(clock)}");
            if (parse.GetValue(minGap) is { } gap)
            {
                url += string.Create(CultureInfo.InvariantCulture, $"&minGapMs={(long)gap.TotalMilliseconds}");
            }

            using var answer = await client.GetJsonAsync(url, ct);
            var root = answer.RootElement;
            if (parse.GetValue(GlobalOptions.Json))
            {
                Output.Json(root.WriteTo);
                return CliErrors.Ok;
            }

            var gaps = root.GetProperty("gaps");
            if (gaps.GetArrayLength() == 0)
            {
                Output.Line($"{name}: no gaps from {Times.Iso(start)} to {Times.Iso(end)}");
                return CliErrors.Ok;
            }

            var table = Output.Table("FROM", "TO", "DURATION");
            foreach (var g in gaps.EnumerateArray())
            {
                table.AddRow(Output.Cell(Times.Iso(g.GetProperty("startMs").GetInt64())), Output.Cell(Times.Iso(g.GetProperty("endMs").GetInt64())),
                    Output.Cell(Span(g.GetProperty("durationMs").GetInt64())));
            }

            Output.Stdout.Write(table);
            Output.Line($"{gaps.GetArrayLength()} gaps, {Span(root.GetProperty("totalGapMs").GetInt64())} without video");
            return CliErrors.Ok;
        });
    }

    /// <summary>A duration for people: 1h02m03.5s, 4.2s.</summary>
    public static string Span(long ms)
    {
        var t = TimeSpan.FromMilliseconds(ms);
        var c = CultureInfo.InvariantCulture;
        return t.TotalHours >= 1 ? string.Create(c, $"{(int)t.TotalHours}h{t.Minutes:00}m{t.Seconds:00}s")
            : t.TotalMinutes >= 1 ? string.Create(c, $"{t.Minutes}m{t.Seconds:00}s")
            : string.Create(c, $"{ms / 1000.0:0.###}s");
    }
}
