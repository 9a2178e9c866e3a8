using System.CommandLine;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Spectre.Console;
using VideoStreams.Cli.Remote;

namespace VideoStreams.Cli.Fragments;

/// <summary><c>vs fragments ls STREAM --from --to [--clock]</c>: ListFragments, every page, in time order.</summary>
internal static class FragmentsCommands
{
    private sealed record Fragment(string Number, long ProducerMs, long ServerMs, long DurationMs, long Size);

    public static Command Create() => new("fragments", "The stored fragments of a stream.") { List() };

    private static Command List()
    {
        var stream = new Argument<string>("stream") { Description = "The stream's name." };
        var from = Times.Option("--from", "Fragments starting at or after this time.", required: true);
        var to = Times.Option("--to", "Fragments starting at or before this time (default now).");
        var clock = Times.ClockOption("producer");
        var command = new Command("ls", "List the fragments that start within [--from, --to] on the chosen clock, oldest first.")
        { stream, from, to, clock };
        command.Aliases.Add("list");
        return command.WithExamples("vs fragments ls lobby --from -15m", "vs fragments ls lobby --from 2026-11-26T13:00:00Z --to 2026-11-26T14:00:00Z --clock server --json").WithConnection().OnServer(async (parse, client, ct) =>
        {
            var name = parse.GetValue(stream)!;
            var start = parse.GetValue(from)!.Value;
            var end = parse.GetValue(to) ?? TimeProvider.System.GetUtcNow();
            var producer = parse.GetValue(clock) == "producer";
            var fragments = new List<Fragment>();
            string? token = null;
            do
            {
                using var answer = await client.KvsAsync("listFragments", w =>
                {
                    w.WriteString("StreamName", name);
                    w.WriteNumber("MaxResults", 1000);
                    if (token is not null)
                    {
                        w.WriteString("NextToken", token);
                        return;
                    }

                    w.WriteStartObject("FragmentSelector");
                    w.WriteString("FragmentSelectorType", producer ? "PRODUCER_TIMESTAMP" : "SERVER_TIMESTAMP");
                    w.WriteStartObject("TimestampRange");
                    w.WriteNumber("StartTimestamp", Times.EpochSeconds(start));
                    w.WriteNumber("EndTimestamp", Times.EpochSeconds(end));
                    w.WriteEndObject();
                    w.WriteEndObject();
                }, ct);
                foreach (var f in answer.RootElement.GetProperty("Fragments").EnumerateArray())
                {
                    fragments.Add(new Fragment(
                        f.GetProperty("FragmentNumber").GetString()!,
                        Times.FromKvs(f.GetProperty("ProducerTimestamp")),
                        Times.FromKvs(f.GetProperty("ServerTimestamp")),
                        f.GetProperty("FragmentLengthInMilliseconds").GetInt64(),
                        f.GetProperty("FragmentSizeInBytes").GetInt64()));
                }

                token = answer.RootElement.TryGetProperty("NextToken", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
            }
            while (!string.IsNullOrEmpty(token));

            // KVS leaves the order unspecified: time on the chosen clock, then fragment number (a big integer).
            fragments.Sort((a, b) =>
            {
                var byTime = producer ? a.ProducerMs.CompareTo(b.ProducerMs) : a.ServerMs.CompareTo(b.ServerMs);
                return byTime != 0 ? byTime : BigInteger.Parse(a.Number, CultureInfo.InvariantCulture).CompareTo(BigInteger.Parse(b.Number, CultureInfo.InvariantCulture));
            });
            if (parse.GetValue(GlobalOptions.Json))
            {
                Output.Json(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("stream", name);
                    w.WriteString("clock", producer ? "producer" : "server");
                    w.WriteString("from", Times.Iso(start));
                    w.WriteNumber("fromMs", start.ToUnixTimeMilliseconds());
                    w.WriteString("to", Times.Iso(end));
                    w.WriteNumber("toMs", end.ToUnixTimeMilliseconds());
                    w.WriteStartArray("fragments");
                    foreach (var f in fragments)
                    {
                        w.WriteStartObject();
                        w.WriteString("fragmentNumber", f.Number);
                        w.WriteString("producerTimestamp", Times.Iso(f.ProducerMs));
                        w.WriteNumber("producerTimestampMs", f.ProducerMs);
                        w.WriteString("serverTimestamp", Times.Iso(f.ServerMs));
                        w.WriteNumber("serverTimestampMs", f.ServerMs);
                        w.WriteNumber("durationMs", f.DurationMs);
                        w.WriteNumber("sizeBytes", f.Size);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                });
                return CliErrors.Ok;
            }

            var table = Output.Table("FRAGMENT", "PRODUCER TIME", "SERVER TIME", "DURATION", "SIZE");
            foreach (var f in fragments)
            {
                table.AddRow(Output.Cell(f.Number), Output.Cell(Times.Iso(f.ProducerMs)), Output.Cell(Times.Iso(f.ServerMs)),
                    Output.Cell(string.Create(CultureInfo.InvariantCulture, $"{f.DurationMs / 1000.0:0.000} s")), Output.Cell(Units.Bytes(f.Size)));
            }

            Output.Stdout.Write(table);
            Output.Line(string.Create(CultureInfo.InvariantCulture,
                $"{fragments.Count} fragments, {Units.Bytes(fragments.Sum(f => f.Size))}, {fragments.Sum(f => f.DurationMs) / 1000.0:0.0} s"));
            return CliErrors.Ok;
        });
    }
}
