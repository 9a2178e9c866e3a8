using System.Globalization;
using System.Text.RegularExpressions;
using VideoStreams.Server.Kvs;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Playback;

/// <summary>
/// GetMedia and GetMediaForFragmentList: the request is checked first (a bad one gets the KVS JSON error); then the
/// answer is 200 and MKV chunks written fragment by fragment and flushed, never the whole response in memory.
/// </summary>
internal sealed partial class MediaService(FragmentStore store, LiveEdge live, TimeProvider time)
{
    public const int MaxFragmentsPerList = 1000;
    private const int PageSize = 64;

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

        long after;
        switch (selector.StartSelectorType)
        {
            case "EARLIEST":
                after = 0;
                break;
            case "NOW":
                after = Newest(streamId) is { } newest ? newest - 1 : 0;
                break;
            case "FRAGMENT_NUMBER":
                if (!TryNumber(selector.AfterFragmentNumber, "StartSelector.AfterFragmentNumber", out after, out var problem))
                {
                    return problem!.Value;
                }

                break;
            case "CONTINUATION_TOKEN":
                if (!TryNumber(selector.ContinuationToken, "StartSelector.ContinuationToken", out after, out problem))
                {
                    return problem!.Value;
                }

                break;
            case "SERVER_TIMESTAMP" or "PRODUCER_TIMESTAMP":
                if (selector.StartTimestamp is not { } start || !ListFragmentsService.IsEpoch(start))
                {
                    return Invalid($"StartSelector.StartTimestamp must be epoch seconds for {selector.StartSelectorType}.");
                }

                var kind = selector.StartSelectorType == "SERVER_TIMESTAMP" ? TimestampKind.Server : TimestampKind.Producer;
                var found = store.Index.FindAtTime(streamId, kind, ListFragmentsService.ToMs(start));
                // Nothing at or after that time: follow the live edge from the newest fragment on.
                after = found is { } f ? f.Number - 1 : Newest(streamId) ?? 0;
                break;
            default:
                return Invalid("StartSelector.StartSelectorType must be NOW, EARLIEST, FRAGMENT_NUMBER, SERVER_TIMESTAMP, PRODUCER_TIMESTAMP or CONTINUATION_TOKEN"
                    + (selector.StartSelectorType is { } t ? $" (got \"{t}\")." : "."));
        }

        return new Plan(null, (response, cancel) => FollowAsync(response, streamId, after, cancel));
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

    private async Task FollowAsync(HttpResponse response, long streamId, long after, CancellationToken cancel)
    {
        Start(response);
        var writer = new MediaChunkWriter(response.BodyWriter);
        while (!cancel.IsCancellationRequested)
        {
            var wake = live.NextCommit(streamId);
            var page = store.Index.ListAfterNumber(streamId, after, PageSize);
            if (page.Fragments.Count == 0)
            {
                await wake.WaitAsync(TimeSpan.FromSeconds(5), time, cancel).ContinueWith(_ => { }, TaskScheduler.Default);
                continue;
            }

            foreach (var entry in page.Fragments)
            {
                StorageResult<StoredFragment> read;
                try
                {
                    read = store.Read(entry);
                }
                catch (CorruptSegmentException)
                {
                    // Never serve damaged media: say so in KVS's error chunk and end the response.
                    writer.WriteError(ErrorTags(5000, "INTERNAL_ERROR", FragmentNumber.Format(entry.Number)));
                    await response.BodyWriter.FlushAsync(cancel);
                    return;
                }

                if (!read.IsSuccess)
                {
                    // Retention removed it between the listing and the read: KVS's 4000, then go on.
                    writer.WriteError(ErrorTags(4000, "FRAGMENT_NOT_FOUND", FragmentNumber.Format(entry.Number)));
                }
                else
                {
                    var behind = Math.Max(0, time.GetUtcNow().ToUnixTimeMilliseconds() - entry.ServerTimestampMs - entry.DurationMs);
                    writer.WriteFragment(read.Value!, behind, FragmentNumber.Format(entry.Number));
                }

                after = entry.Number;
                var flushed = await response.BodyWriter.FlushAsync(cancel);
                if (flushed.IsCompleted || flushed.IsCanceled)
                {
                    return;
                }
            }
        }
    }

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

    private static KeyValuePair<string, string>[] ErrorTags(int id, string code, string fragmentNumber) =>
    [
        new(MediaChunkWriter.FragmentNumberTag, fragmentNumber),
        new("AWS_KINESISVIDEO_ERROR_CODE", code),
        new("AWS_KINESISVIDEO_ERROR_ID", id.ToString(CultureInfo.InvariantCulture)),
    ];

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
