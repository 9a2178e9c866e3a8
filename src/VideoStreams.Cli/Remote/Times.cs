using System.CommandLine;
using System.Globalization;

namespace VideoStreams.Cli.Remote;

/// <summary>
/// Times on the command line: ISO 8601 with a zone (<c>2026-11-26T13:00:00Z</c>, <c>…+01:00</c>; without a zone, UTC),
/// epoch seconds (<c>1764162000</c>, fractions allowed), <c>now</c>, or relative to now (<c>-15m</c>, <c>-2h</c>,
/// <c>-30s</c>, <c>-1d</c>, <c>-500ms</c>). Durations (<c>--every 10s</c>) use the same units without the sign.
/// </summary>
internal static class Times
{
    /// <summary>A time option; a value that is none of the forms is a usage error (exit 2) naming the option.</summary>
    public static Option<DateTimeOffset?> Option(string name, string description, bool required = false) => new(name)
    {
        Description = description + " ISO 8601, epoch seconds, 'now' or relative ('-15m', '-2h').",
        HelpName = "TIME",
        Required = required,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (TryParse(text, TimeProvider.System.GetUtcNow(), out var time))
            {
                return time;
            }

            result.AddError($"{name}: '{text}' is not a time (ISO 8601 like 2026-11-26T13:00:00Z, epoch seconds, 'now', or relative like -15m)");
            return null;
        },
    };

    /// <summary>A duration option (<c>10s</c>, <c>500ms</c>, <c>1m</c>).</summary>
    public static Option<TimeSpan?> DurationOption(string name, string description, TimeSpan? defaultValue = null) => new(name)
    {
        Description = description,
        HelpName = "DURATION",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (TryParseDuration(text, out var span) && span > TimeSpan.Zero)
            {
                return span;
            }

            result.AddError($"{name}: '{text}' is not a duration (like 10s, 500ms, 1m)");
            return null;
        },
    };

    public static bool TryParse(string text, DateTimeOffset now, out DateTimeOffset time)
    {
        text = text.Trim();
        time = default;
        if (text.Equals("now", StringComparison.OrdinalIgnoreCase))
        {
            time = now;
            return true;
        }

        if (text.StartsWith('-') && TryParseDuration(text[1..], out var ago))
        {
            time = now - ago;
            return true;
        }

        if (text.Length > 0 && char.IsAsciiDigit(text[0]) && decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
            && seconds < 253_402_300_800m)
        {
            time = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000m));
            return true;
        }

        return text.Contains('T', StringComparison.Ordinal) || text.Contains('-', StringComparison.Ordinal)
            ? DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time)
            : false;
    }

    public static bool TryParseDuration(string text, out TimeSpan span)
    {
        span = default;
        var unitAt = 0;
        while (unitAt < text.Length && (char.IsAsciiDigit(text[unitAt]) || text[unitAt] == '.'))
        {
            unitAt++;
        }

        if (unitAt == 0 || !double.TryParse(text.AsSpan(0, unitAt), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        double? ms = text[unitAt..] switch
        {
            "ms" => value,
            "s" or "" => value * 1000,
            "m" => value * 60_000,
            "h" => value * 3_600_000,
            "d" => value * 86_400_000,
            _ => null,
        };
        if (ms is not { } milliseconds || milliseconds > TimeSpan.MaxValue.TotalMilliseconds / 2)
        {
            return false;
        }

        span = TimeSpan.FromMilliseconds(milliseconds);
        return true;
    }

    /// <summary>ISO 8601 UTC with milliseconds, as the server's own endpoints write times.</summary>
    public static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string Iso(long epochMs) => Iso(DateTimeOffset.FromUnixTimeMilliseconds(epochMs));

    /// <summary>KVS's wire form: epoch seconds with a fraction.</summary>
    public static double EpochSeconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>A KVS timestamp (epoch seconds, number or numeric string) as epoch milliseconds.</summary>
    public static long FromKvs(System.Text.Json.JsonElement value) => value.ValueKind == System.Text.Json.JsonValueKind.String
        ? (long)Math.Round(double.Parse(value.GetString()!, CultureInfo.InvariantCulture) * 1000)
        : (long)Math.Round(value.GetDouble() * 1000);

    /// <summary>The clock option shared by the read commands.</summary>
    public static Option<string> ClockOption(string defaultClock) => new Option<string>("--clock")
    {
        Description = $"Which timestamps the times are on: producer (the camera's) or server (arrival). Default {defaultClock}.",
        DefaultValueFactory = _ => defaultClock,
    }.AcceptOnlyFromAmong("producer", "server");
}
