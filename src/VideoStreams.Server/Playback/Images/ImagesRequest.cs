using System.Globalization;
using VideoStreams.Server.Kvs;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Playback.Images;

/// <summary>
/// Checks a GetImages request against KVS-API.md §4/§5 and turns it into an <see cref="ImageQuery"/>; every refusal
/// is a KVS error naming the field. With a NextToken the selector, range and interval come from the token: fields
/// sent beside it must match it (the SDK resends the whole request with the token).
/// </summary>
internal static class ImagesRequest
{
    public const long MaxSpanMs = 300_000;
    public const long MinIntervalMs = 200;
    /// <summary>Our default when SamplingInterval is left out (KVS documents it as optional without a value).</summary>
    public const long DefaultIntervalMs = 3000;
    public const int MaxPageSize = 25;
    public const int MaxMaxResults = 100;
    public const int DefaultJpegQuality = 80;
    public const int MaxWidth = 3840;
    public const int MaxHeight = 2160;

    public static (ImageQuery? Query, KvsReply? Failure) Check(GetImagesInput input, FragmentStore store)
    {
        var stream = store.Streams.Describe(input.ToRef());
        if (!stream.IsSuccess)
        {
            return Fail(stream.Error.ToKvs(), stream.Message ?? "The requested stream is not found or not active.");
        }

        var record = stream.Value!;
        if (record.DataRetentionInHours == 0)
        {
            return Fail(KvsError.NoDataRetention, $"The stream {record.Name} keeps no data (DataRetentionInHours is 0): there are no stored fragments to take images from.");
        }

        var format = input.Format switch
        {
            "JPEG" => ImageFormat.Jpeg,
            "PNG" => ImageFormat.Png,
            _ => (ImageFormat?)null,
        };
        if (format is null)
        {
            return Invalid($"Format must be JPEG or PNG{Got(input.Format)}.");
        }

        var quality = DefaultJpegQuality;
        foreach (var (key, value) in input.FormatConfig ?? [])
        {
            if (key != "JPEGQuality")
            {
                return Invalid($"FormatConfig may only hold the key JPEGQuality (got \"{key}\").");
            }

            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out quality) || quality is < 1 or > 100)
            {
                return Invalid($"FormatConfig.JPEGQuality must be an integer from \"1\" to \"100\"{Got(value)}.");
            }
        }

        if (input.WidthPixels is < 1 or > MaxWidth)
        {
            return Invalid($"WidthPixels must be from 1 to {MaxWidth} (got {input.WidthPixels}).");
        }

        if (input.HeightPixels is < 1 or > MaxHeight)
        {
            return Invalid($"HeightPixels must be from 1 to {MaxHeight} (got {input.HeightPixels}).");
        }

        if (input.MaxResults is < 1 or > MaxMaxResults)
        {
            return Invalid($"MaxResults must be from 1 to {MaxMaxResults} (got {input.MaxResults}).");
        }

        var interval = input.SamplingInterval ?? DefaultIntervalMs;
        if (interval is < MinIntervalMs or > int.MaxValue)
        {
            return Invalid($"SamplingInterval must be at least {MinIntervalMs} milliseconds (got {interval}).");
        }

        var kind = input.ImageSelectorType switch
        {
            "PRODUCER_TIMESTAMP" => TimestampKind.Producer,
            "SERVER_TIMESTAMP" => TimestampKind.Server,
            null => (TimestampKind?)null,
            _ => (TimestampKind)(-1),
        };
        if (kind is { } k && !Enum.IsDefined(k))
        {
            return Invalid($"ImageSelectorType must be PRODUCER_TIMESTAMP or SERVER_TIMESTAMP{Got(input.ImageSelectorType)}.");
        }

        long? start = null, end = null;
        if (input.StartTimestamp is { } s)
        {
            if (!ListFragmentsService.IsEpoch(s))
            {
                return Invalid("StartTimestamp must be epoch seconds.");
            }

            start = ListFragmentsService.ToMs(s);
        }

        if (input.EndTimestamp is { } e)
        {
            if (!ListFragmentsService.IsEpoch(e))
            {
                return Invalid("EndTimestamp must be epoch seconds.");
            }

            end = ListFragmentsService.ToMs(e);
        }

        var index = 0;
        if (input.NextToken is { } text)
        {
            if (!ImageQuery.Token.TryParse(text, out var token) || token.StreamId != record.Id)
            {
                return Invalid("NextToken is not a token this stream's GetImages gave out.");
            }

            if ((kind is { } tk && tk != token.Kind) || (start is { } ts && ts != token.StartMs) || (end is { } te && te != token.EndMs)
                || (input.SamplingInterval is { } ti && ti != token.IntervalMs))
            {
                return Invalid("NextToken belongs to a request with another ImageSelectorType, StartTimestamp, EndTimestamp or SamplingInterval.");
            }

            (kind, start, end, interval, index) = (token.Kind, token.StartMs, token.EndMs, token.IntervalMs, token.Index);
            if (interval < MinIntervalMs || end < start || end - start > MaxSpanMs || index < 1 || index >= ((end - start) / interval) + 1)
            {
                return Invalid("NextToken is not a token this stream's GetImages gave out.");
            }
        }

        if (kind is null)
        {
            return Invalid("ImageSelectorType must be specified (PRODUCER_TIMESTAMP or SERVER_TIMESTAMP).");
        }

        if (start is null)
        {
            return Invalid("StartTimestamp must be specified.");
        }

        if (end is null)
        {
            return Invalid("EndTimestamp must be specified.");
        }

        if (end < start)
        {
            return Invalid("EndTimestamp must not be before StartTimestamp.");
        }

        if (end - start > MaxSpanMs)
        {
            return Invalid($"EndTimestamp must be within {MaxSpanMs / 1000} seconds of StartTimestamp (the range is {(end - start) / 1000.0:0.###} s).");
        }

        // MaxResults above 25 still pages at 25 (KVS-API.md §5); the rest of the range comes through NextToken.
        var pageSize = (int)Math.Min(input.MaxResults ?? MaxPageSize, MaxPageSize);
        return (new ImageQuery(record.Id, kind.Value, start.Value, end.Value, interval, index, pageSize, format.Value, quality,
            (int?)input.WidthPixels, (int?)input.HeightPixels), null);
    }

    private static (ImageQuery?, KvsReply?) Invalid(string message) => Fail(KvsError.InvalidArgument, message);

    private static (ImageQuery?, KvsReply?) Fail(KvsError error, string message) => (null, KvsReply.Fail(error, message));

    private static string Got(string? value) => value is null ? "" : $" (got \"{value}\")";
}
