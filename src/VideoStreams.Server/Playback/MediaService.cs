using System.Text.RegularExpressions;
using VideoStreams.Server.Kvs;
using VideoStreams.Server.Live;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Playback;

/// <summary>
/// GetMedia and GetMediaForFragmentList: the request is checked first (a bad one gets the KVS JSON error); then the
/// answer is 200 and MKV chunks written fragment by fragment and flushed, never the whole response in memory.
/// GetMedia on a retention-0 stream reads the live hub only (<see cref="MediaFollower"/>): nothing of it is stored.
/// </summary>
internal sealed partial class MediaService(FragmentStore store, LiveEdge live, LiveHub hub, TimeProvider time)
{
    public const int MaxFragmentsPerList = 1000;

    /// <summary>A checked request: what to stream. Exactly one of the two is set.</summary>
    internal readonly record struct Plan(KvsReply? Failure, Func<HttpResponse, CancellationToken, Task>? Stream);

    public Plan GetMedia(GetMediaInput input)
    {
        var stream = store.Streams.Describe(input.ToRef());
        if (!stream.IsSuccess)
        {
            return Fail(stream.Error.ToKvs(), stream.Message ?? "The requested stream is not found or not active.");
        }

        var streamId = stream.Value!.Id;
        if (input.StartSelector is not { } selector)
        {
            return Invalid("StartSelector must be specified.");
        }

        // KVS keeps a retention-0 stream only in a host buffer of at most 5 min / 200 MB (KVS-API.md §1.6): every
        // selector is answered from the hub's copy of it, then the reader follows the live edge.
        var recent = stream.Value.DataRetentionInHours == 0;
        long after = 0;
        RecentStart start;
        switch (selector.StartSelectorType)
        {
            case "EARLIEST":
                start = new RecentStart(RecentStartKind.Earliest);
                break;
            case "NOW":
                after = recent ? 0 : Newest(streamId) is { } newest ? newest - 1 : 0;
                start = new RecentStart(RecentStartKind.Now);
                break;
            case "FRAGMENT_NUMBER":
                if (!TryNumber(selector.AfterFragmentNumber, "StartSelector.AfterFragmentNumber", out after, out var problem))
                {
                    return problem!.Value;
                }

                start = new RecentStart(RecentStartKind.AfterNumber, after);
                break;
            case "CONTINUATION_TOKEN":
                if (!TryNumber(selector.ContinuationToken, "StartSelector.ContinuationToken", out after, out problem))
                {
                    return problem!.Value;
                }

                start = new RecentStart(RecentStartKind.AfterNumber, after);
                break;
            case "SERVER_TIMESTAMP" or "PRODUCER_TIMESTAMP":
                if (selector.StartTimestamp is not { } startTime || !ListFragmentsService.IsEpoch(startTime))
                {
                    return Invalid($"StartSelector.StartTimestamp must be epoch seconds for {selector.StartSelectorType}.");
                }

                var kind = selector.StartSelectorType == "SERVER_TIMESTAMP" ? TimestampKind.Server : TimestampKind.Producer;
                var ms = ListFragmentsService.ToMs(startTime);
                start = new RecentStart(RecentStartKind.AtTime, Clock: kind, TimeMs: ms);
                if (!recent)
                {
                    var found = store.Index.FindAtTime(streamId, kind, ms);
                    // Nothing at or after that time: follow the live edge from the newest fragment on.
                    after = found is { } f ? f.Number - 1 : Newest(streamId) ?? 0;
                }

                break;
            default:
                return Invalid("StartSelector.StartSelectorType must be NOW, EARLIEST, FRAGMENT_NUMBER, SERVER_TIMESTAMP, PRODUCER_TIMESTAMP or CONTINUATION_TOKEN"
                    + (selector.StartSelectorType is { } t ? $" (got \"{t}\")." : "."));
        }

        return recent
            ? new Plan(null, (response, cancel) =>
            {
                Start(response);
                return MediaFollower.FollowRecentAsync(store, hub, live, time, response, streamId, start, cancel);
            })
            : new Plan(null, (response, cancel) =>
            {
                Start(response);
                return MediaFollower.FollowStoredAsync(store, hub, live, time, response, streamId, after, cancel);
            });
    }

    public Plan GetMediaForFragmentList(GetMediaForFragmentListInput input)
    {
        var stream = store.Streams.Describe(input.ToRef());
        if (!stream.IsSuccess)
        {
            return Fail(stream.Error.ToKvs(), stream.Message ?? "The requested stream is not found or not active.");
        }

        if (input.Fragments is not { Count: >= 1 and <= MaxFragmentsPerList } fragments)
        {
            return Invalid($"Fragments must list 1 to {MaxFragmentsPerList} fragment numbers.");
        }

        var numbers = new long[fragments.Count];
        for (var i = 0; i < fragments.Count; i++)
        {
            var text = fragments[i];
            if (text is null || text.Length is 0 or > 128 || !Digits().IsMatch(text))
            {
                return Invalid($"Fragments[{i}] must be a fragment number: 1 to 128 digits.");
            }

            // A number in the right shape that we never gave out is a missing fragment (an error chunk), not a bad request.
            numbers[i] = FragmentNumber.TryParse(text, out var n) ? n : -1;
        }

        var streamId = stream.Value!.Id;
        return new Plan(null, (response, cancel) => ListAsync(response, streamId, fragments, numbers, cancel));
    }

    private long? Newest(long streamId) => store.Index.Extent(streamId, TimestampKind.Server)?.Last.Number;

    private async Task ListAsync(HttpResponse response, long streamId, List<string> texts, long[] numbers, CancellationToken cancel)
    {
        Start(response);
        var writer = new MediaChunkWriter(response.BodyWriter);
        for (var i = 0; i < numbers.Length; i++)
        {
            var entry = numbers[i] >= 0 ? store.Index.GetFragment(numbers[i]) : null;
            StoredFragment? fragment = null;
            if (entry is { } e && e.StreamId == streamId)
            {
                try
                {
                    var read = store.Read(e);
                    fragment = read.IsSuccess ? read.Value : null;
                }
                catch (CorruptSegmentException)
                {
                    // Damaged media is never served; the caller sees this fragment as failed.
                }
            }

            if (fragment is not null)
            {
                writer.WriteFragment(fragment, null, null);
            }
            else
            {
                writer.WriteError(
                [
                    new(MediaChunkWriter.FragmentNumberTag, texts[i]),
                    new("AWS_KINESISVIDEO_EXCEPTION_ERROR_CODE", "4000"),
                    new("AWS_KINESISVIDEO_EXCEPTION_MESSAGE", $"Fragment {texts[i]} was not found in this stream."),
                ]);
            }

            var flushed = await response.BodyWriter.FlushAsync(cancel);
            if (flushed.IsCompleted || flushed.IsCanceled)
            {
                return;
            }
        }
    }

    private static void Start(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status200OK;
        // What KVS sends (KVS-API.md §3.2); players and the SDK read it as Matroska.
        response.ContentType = "video/webm";
    }

    private static bool TryNumber(string? text, string field, out long number, out Plan? problem)
    {
        number = 0;
        problem = null;
        if (text is null || text.Length is 0 or > 128 || !Digits().IsMatch(text))
        {
            problem = Invalid($"{field} must be a fragment number: 1 to 128 digits.");
            return false;
        }

        if (!FragmentNumber.TryParse(text, out number))
        {
            problem = Fail(KvsError.ResourceNotFound, $"{field} {text} is not a fragment of this stream.");
            return false;
        }

        return true;
    }

    private static Plan Invalid(string message) => Fail(KvsError.InvalidArgument, message);

    private static Plan Fail(KvsError error, string message) => new(KvsReply.Fail(error, message), null);

    [GeneratedRegex("^[0-9]+$")]
    private static partial Regex Digits();
}
