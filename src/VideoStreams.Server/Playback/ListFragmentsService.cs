using System.Globalization;
using System.Text;
using VideoStreams.Server.Kvs;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Index;

namespace VideoStreams.Server.Playback;

/// <summary>
/// ListFragments (KVS-API.md §4): fragments whose start on the chosen clock is within the range (both ends
/// inclusive), a page at a time. Pages come in (timestamp, number) order — KVS leaves the order unspecified, so this
/// is a valid one — and the NextToken is the index cursor, so a page neither skips nor repeats a fragment committed
/// meanwhile.
/// </summary>
internal sealed class ListFragmentsService(FragmentStore store)
{
    public const int DefaultMaxResults = 100;
    public const int MaxMaxResults = 1000;

    public KvsReply ListFragments(ListFragmentsInput input)
    {
        var stream = store.Streams.Describe(input.ToRef());
        if (!stream.IsSuccess)
        {
            return KvsReply.Fail(stream.Error.ToKvs(), stream.Message ?? "The requested stream is not found or not active.");
        }

        var streamId = stream.Value!.Id;
        if (input.MaxResults is < 1 or > MaxMaxResults)
        {
            return Invalid($"MaxResults must be from 1 to {MaxMaxResults} (got {input.MaxResults}).");
        }

        var limit = (int)(input.MaxResults ?? DefaultMaxResults);
        Query query;
        if (input.NextToken is { } token)
        {
            if (!Query.TryParse(token, out query) || query.StreamId != streamId)
            {
                return Invalid("NextToken is not a token this stream's ListFragments gave out.");
            }
        }
        else
        {
            if (input.FragmentSelector is not { } selector)
            {
                return Invalid("FragmentSelector must be specified when there is no NextToken.");
            }

            var kind = selector.FragmentSelectorType switch
            {
                "PRODUCER_TIMESTAMP" => TimestampKind.Producer,
                "SERVER_TIMESTAMP" => TimestampKind.Server,
                _ => (TimestampKind?)null,
            };
            if (kind is null)
            {
                return Invalid($"FragmentSelector.FragmentSelectorType must be PRODUCER_TIMESTAMP or SERVER_TIMESTAMP{Got(selector.FragmentSelectorType)}.");
            }

            if (selector.TimestampRange is not { StartTimestamp: { } start, EndTimestamp: { } end })
            {
                return Invalid("FragmentSelector.TimestampRange must have StartTimestamp and EndTimestamp.");
            }

            if (!IsEpoch(start) || !IsEpoch(end))
            {
                return Invalid("FragmentSelector.TimestampRange timestamps must be epoch seconds.");
            }

            if (end < start)
            {
                return Invalid("FragmentSelector.TimestampRange.EndTimestamp must not be before StartTimestamp.");
            }

            query = new Query(streamId, kind.Value, ToMs(start), ToMs(end), null);
        }

        var page = store.Index.ListByTime(query.StreamId, query.Kind, query.FromMs, query.ToMs, limit, query.After);
        var fragments = page.Fragments.Select(f => new FragmentOutput(
            FragmentNumber.Format(f.Number), f.Size, f.ProducerTimestampMs / 1000.0, f.ServerTimestampMs / 1000.0, f.DurationMs)).ToList();
        var next = page.Next is { } cursor ? (query with { After = cursor }).Format() : null;
        return KvsReply.Ok(new ListFragmentsOutput(fragments, next), PlaybackJson.Default.ListFragmentsOutput);
    }

    /// <summary>Seconds to milliseconds, rounding to the nearest (the SDK sends ms / 1000, which is not exact in binary).</summary>
    public static long ToMs(double seconds) => (long)Math.Round(seconds * 1000, MidpointRounding.AwayFromZero);

    public static bool IsEpoch(double seconds) => double.IsFinite(seconds) && seconds is >= 0 and < 1e11;

    private static KvsReply Invalid(string message) => KvsReply.Fail(KvsError.InvalidArgument, message);

    private static string Got(string? value) => value is null ? "" : $" (got \"{value}\")";

    /// <summary>What a NextToken carries: the whole query and where the next page starts.</summary>
    private readonly record struct Query(long StreamId, TimestampKind Kind, long FromMs, long ToMs, FragmentCursor? After)
    {
        public string Format()
        {
            var c = After!.Value;
            var text = string.Join(':', "1", StreamId, (int)Kind, FromMs, ToMs, c.TimestampMs, c.Number);
            return Convert.ToBase64String(Encoding.ASCII.GetBytes(text));
        }

        public static bool TryParse(string token, out Query query)
        {
            query = default;
            var bytes = new byte[token.Length];
            if (token.Length is 0 or > 4096 || !Convert.TryFromBase64String(token, bytes, out var length))
            {
                return false;
            }

            var parts = Encoding.ASCII.GetString(bytes, 0, length).Split(':');
            if (parts is not ["1", _, _, _, _, _, _])
            {
                return false;
            }

            var numbers = new long[6];
            for (var i = 0; i < 6; i++)
            {
                if (!long.TryParse(parts[i + 1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out numbers[i]))
                {
                    return false;
                }
            }

            if (numbers[1] is not (0 or 1))
            {
                return false;
            }

            query = new Query(numbers[0], (TimestampKind)numbers[1], numbers[2], numbers[3], new FragmentCursor(numbers[4], numbers[5]));
            return true;
        }
    }
}
