using System.Globalization;
using System.Text;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Playback.Images;

/// <summary>The image format GetImages encodes.</summary>
internal enum ImageFormat
{
    Jpeg,
    Png,
}

/// <summary>
/// A checked GetImages request: the sample times (<see cref="SampleCount"/> of them, from <see cref="StartMs"/> every
/// <see cref="IntervalMs"/>, End inclusive), the page to answer and how to render each image.
/// </summary>
internal sealed record ImageQuery(
    long StreamId,
    TimestampKind Kind,
    long StartMs,
    long EndMs,
    long IntervalMs,
    int FirstIndex,
    int PageSize,
    ImageFormat Format,
    int JpegQuality,
    int? Width,
    int? Height)
{
    /// <summary>Sample times in the range: Start, Start + interval, … up to End inclusive (at least Start).</summary>
    public int SampleCount => (int)((EndMs - StartMs) / IntervalMs) + 1;

    /// <summary>The sample time of index <paramref name="index"/>, epoch ms.</summary>
    public long SampleMs(int index) => StartMs + (index * IntervalMs);

    /// <summary>Index of the first sample after this page, or null on the last page.</summary>
    public int? NextIndex => FirstIndex + PageSize < SampleCount ? FirstIndex + PageSize : null;

    /// <summary>The samples of this page.</summary>
    public int PageCount => Math.Min(PageSize, SampleCount - FirstIndex);

    /// <summary>The NextToken that continues after this page, or null on the last page.</summary>
    public string? NextToken() => NextIndex is { } next
        ? Convert.ToBase64String(Encoding.ASCII.GetBytes(string.Join(':', "i1", StreamId, (int)Kind, StartMs, EndMs, IntervalMs, next)))
        : null;

    /// <summary>What a NextToken carries: the query's stream, clock, range, interval and the next sample index.</summary>
    internal readonly record struct Token(long StreamId, TimestampKind Kind, long StartMs, long EndMs, long IntervalMs, int Index)
    {
        /// <summary>Parses a token this class wrote; false for anything else (not base64, wrong shape, bad numbers).</summary>
        public static bool TryParse(string text, out Token token)
        {
            token = default;
            // KVS's archived NextToken: 1–4096 characters of base64.
            var bytes = new byte[text.Length];
            if (text.Length is 0 or > 4096 || !Convert.TryFromBase64String(text, bytes, out var length))
            {
                return false;
            }

            var parts = Encoding.ASCII.GetString(bytes, 0, length).Split(':');
            if (parts is not ["i1", _, _, _, _, _, _])
            {
                return false;
            }

            Span<long> numbers = stackalloc long[6];
            for (var i = 0; i < 6; i++)
            {
                if (!long.TryParse(parts[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
                {
                    return false;
                }
            }

            if (numbers[1] is not (0 or 1) || numbers[5] > int.MaxValue)
            {
                return false;
            }

            token = new Token(numbers[0], (TimestampKind)numbers[1], numbers[2], numbers[3], numbers[4], (int)numbers[5]);
            return true;
        }
    }
}
