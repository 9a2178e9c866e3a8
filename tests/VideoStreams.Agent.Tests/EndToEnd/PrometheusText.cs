using System.Globalization;

namespace VideoStreams.Agent.Tests.EndToEnd;

/// <summary>Reads samples out of a Prometheus text exposition (what GET /metrics answers).</summary>
internal static class PrometheusText
{
    /// <summary>
    /// The sum of every sample whose metric name contains <paramref name="nameContains"/> and whose labels contain
    /// each of <paramref name="labels"/> (e.g. <c>reason="overflow"</c>); null when there is no such sample.
    /// </summary>
    public static double? Sum(string? text, string nameContains, params string[] labels)
    {
        if (text is null)
        {
            return null;
        }

        double? sum = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var nameEnd = line.IndexOfAny(['{', ' ']);
            if (nameEnd <= 0 || !line[..nameEnd].Contains(nameContains, StringComparison.Ordinal))
            {
                continue;
            }

            var labelText = line[nameEnd] == '{' ? line[nameEnd..(line.LastIndexOf('}') + 1)] : "";
            if (labels.Any(l => !labelText.Contains(l, StringComparison.Ordinal)))
            {
                continue;
            }

            // "name{…} value" or "name{…} value timestamp": the value is the first number after the labels.
            var rest = line[(nameEnd + labelText.Length)..].Trim().Split(' ');
            if (double.TryParse(rest[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                sum = (sum ?? 0) + value;
            }

        }

        return sum;
    }
}
