using System.Globalization;

namespace VideoStreams.Cli.Remote;

/// <summary>Sizes and rates for people.</summary>
internal static class Units
{
    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.0} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1073741824.0:0.00} GiB"),
    };

    /// <summary>A byte count with an optional k/m/g suffix (powers of 1024): <c>500k</c>, <c>2m</c>.</summary>
    public static bool TryParseBytes(string text, out long bytes)
    {
        bytes = 0;
        var multiplier = 1L;
        var number = text.Trim();
        if (number.Length > 0 && char.ToLowerInvariant(number[^1]) is 'k' or 'm' or 'g')
        {
            multiplier = char.ToLowerInvariant(number[^1]) switch { 'k' => 1024, 'm' => 1024 * 1024, _ => 1024 * 1024 * 1024 };
            number = number[..^1];
        }

        if (!long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0 || value > long.MaxValue / multiplier)
        {
            return false;
        }

        bytes = value * multiplier;
        return true;
    }
}
