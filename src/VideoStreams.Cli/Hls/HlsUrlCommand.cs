using System.CommandLine;
using VideoStreams.Cli.Remote;

namespace VideoStreams.Cli.Hls;

/// <summary><c>vs hls-url STREAM --mode live|replay|vod</c>: GetHLSStreamingSessionURL, the URL printed.</summary>
internal static class HlsUrlCommand
{
    public static Command Create()
    {
        var stream = new Argument<string>("stream") { Description = "The stream's name." };
        var mode = new Option<string>("--mode")
        {
            Description = "live (the newest fragments, following), replay (from --from, at recording pace) or vod (--from to --to, a fixed playlist).",
            DefaultValueFactory = _ => "live",
        }.AcceptOnlyFromAmong("live", "replay", "vod");
        var from = Times.Option("--from", "Start of the range (replay and vod).");
        var to = Times.Option("--to", "End of the range (vod; optional for replay).");
        var clock = Times.ClockOption("server");
        var expires = new Option<int?>("--expires") { Description = "Seconds the URL stays valid (300–43200; the server's default is 300).", HelpName = "SECONDS" };
        var lowLatency = new Option<bool>("--low-latency") { Description = "Ask for a low-latency (LL-HLS) live playlist: our extension \"LowLatency\": true, live mode only." };
        var command = new Command("hls-url", "Start an HLS streaming session and print its URL (for a player: ffplay, VLC, hls.js).")
        {
            stream, mode, from, to, clock, expires, lowLatency,
        };
        command.Validators.Add(result =>
        {
            // Validators see no default values: an absent --mode is live.
            var m = result.GetValue(mode) is { Length: > 0 } given ? given : "live";
            if (m != "live" && result.GetValue(from) is null)
            {
                result.AddError($"--mode {m} needs --from");
            }

            if (m == "vod" && result.GetValue(to) is null)
            {
                result.AddError("--mode vod needs --to");
            }

            if (m == "live" && (result.GetValue(from) is not null || result.GetValue(to) is not null))
            {
                result.AddError("--mode live takes no --from or --to");
            }
        });
        return command.WithExamples(
            "vs hls-url lobby",
            "ffplay \"$(vs hls-url lobby --low-latency)\"",
            "vs hls-url lobby --mode vod --from 2026-11-26T13:00:00Z --to 2026-11-26T13:10:00Z --expires 3600",
            "vs hls-url lobby --mode replay --from -1h --json").WithConnection().OnServer(async (parse, client, ct) =>
        {
            var name = parse.GetValue(stream)!;
            var m = parse.GetValue(mode)!;
            var playback = m switch { "replay" => "LIVE_REPLAY", "vod" => "ON_DEMAND", _ => "LIVE" };
            using var answer = await client.KvsAsync("getHLSStreamingSessionURL", w =>
            {
                w.WriteString("StreamName", name);
                w.WriteString("PlaybackMode", playback);
                w.WriteStartObject("HLSFragmentSelector");
                w.WriteString("FragmentSelectorType", parse.GetValue(clock) == "producer" ? "PRODUCER_TIMESTAMP" : "SERVER_TIMESTAMP");
                if (parse.GetValue(from) is { } start)
                {
                    w.WriteStartObject("TimestampRange");
                    w.WriteNumber("StartTimestamp", Times.EpochSeconds(start));
                    if (parse.GetValue(to) is { } end)
                    {
                        w.WriteNumber("EndTimestamp", Times.EpochSeconds(end));
                    }

                    w.WriteEndObject();
                }

                w.WriteEndObject();
                if (parse.GetValue(expires) is { } seconds)
                {
                    w.WriteNumber("Expires", seconds);
                }

                if (parse.GetValue(lowLatency))
                {
                    w.WriteBoolean("LowLatency", true);
                }
            }, ct);
            var url = answer.RootElement.GetProperty("HLSStreamingSessionURL").GetString()!;
            if (parse.GetValue(GlobalOptions.Json))
            {
                Output.Json(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("stream", name);
                    w.WriteString("mode", m);
                    w.WriteBoolean("lowLatency", parse.GetValue(lowLatency));
                    w.WriteString("url", url);
                    w.WriteEndObject();
                });
            }
            else
            {
                Output.Line(url);
            }

            return CliErrors.Ok;
        });
    }
}
