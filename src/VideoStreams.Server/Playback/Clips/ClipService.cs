using System.Globalization;
using VideoStreams.Server.Kvs;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Streams;

namespace VideoStreams.Server.Playback.Clips;

/// <summary>
/// Checks a clip request, selects its fragments (<see cref="ClipSelection"/>), and plans it (or finds the plan cached).
/// Every refusal happens here, before a byte of the answer is sent.
/// </summary>
internal sealed class ClipService(FragmentStore store, ClipPlanCache cache, ClipMetrics metrics, TimeProvider time, ILogger<ClipService> logger)
{
    public FragmentStore Store => store;

    public ClipMetrics Metrics => metrics;

    public ILogger Logger => logger;

    /// <summary>GetClip (KVS-API.md §4): KVS's cut rule and limits; the body is the whole MP4, sent as it is produced.</summary>
    public MediaService.Plan GetClip(GetClipInput input)
    {
        var (plan, failure) = CheckKvs(input);
        if (failure is not null)
        {
            ClipLog.Refused(logger, failure.KvsName, failure.Message);
            return failure.ToKvsPlan();
        }

        return new MediaService.Plan(null, async (response, cancel) =>
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "video/mp4";
            response.ContentLength = plan!.FileSize;
            var writer = new ClipWriter(store, plan);
            try
            {
                await writer.WriteAsync(response.BodyWriter, 0, plan.FileSize, cancel);
            }
            finally
            {
                metrics.Served("getclip", writer.Written);
            }
        });
    }

    private (ClipPlan? Plan, ClipFailure? Failure) CheckKvs(GetClipInput input)
    {
        var stream = store.Streams.Describe(input.ToRef());
        if (!stream.IsSuccess)
        {
            return (null, stream.Error.ToKvs() == KvsError.InvalidArgument
                ? ClipFailure.Invalid("StreamName", stream.Message ?? "StreamName or StreamARN is invalid.")
                : new ClipFailure(ClipFailureKind.ResourceNotFound, null, stream.Message ?? "The requested stream is not found or not active."));
        }

        if (input.ClipFragmentSelector is not { } selector)
        {
            return (null, ClipFailure.Invalid("ClipFragmentSelector", "ClipFragmentSelector must be specified."));
        }

        TimestampKind kind;
        switch (selector.FragmentSelectorType)
        {
            case "PRODUCER_TIMESTAMP":
                kind = TimestampKind.Producer;
                break;
            case "SERVER_TIMESTAMP":
                kind = TimestampKind.Server;
                break;
            default:
                return (null, ClipFailure.Invalid("ClipFragmentSelector.FragmentSelectorType",
                    "ClipFragmentSelector.FragmentSelectorType must be PRODUCER_TIMESTAMP or SERVER_TIMESTAMP"
                    + (selector.FragmentSelectorType is { } t ? $" (got \"{t}\")." : ".")));
        }

        if (selector.TimestampRange is not { } range)
        {
            return (null, ClipFailure.Invalid("ClipFragmentSelector.TimestampRange", "ClipFragmentSelector.TimestampRange must be specified."));
        }

        if (range.StartTimestamp is not { } start || !ListFragmentsService.IsEpoch(start))
        {
            return (null, ClipFailure.Invalid("ClipFragmentSelector.TimestampRange.StartTimestamp",
                "ClipFragmentSelector.TimestampRange.StartTimestamp must be epoch seconds."));
        }

        if (range.EndTimestamp is not { } end || !ListFragmentsService.IsEpoch(end))
        {
            return (null, ClipFailure.Invalid("ClipFragmentSelector.TimestampRange.EndTimestamp",
                "ClipFragmentSelector.TimestampRange.EndTimestamp must be epoch seconds."));
        }

        var (startMs, endMs) = (ListFragmentsService.ToMs(start), ListFragmentsService.ToMs(end));
        if (CheckRange(startMs, endMs, kind, "ClipFragmentSelector.TimestampRange.EndTimestamp") is { } bad)
        {
            return (null, bad);
        }

        if (stream.Value!.DataRetentionInHours == 0)
        {
            return (null, new ClipFailure(ClipFailureKind.NoDataRetention, null, "The stream keeps no data (DataRetentionInHours is 0): there is nothing to make a clip of."));
        }

        var selected = ClipSelection.Kvs(store.Index, stream.Value.Id, kind, startMs, endMs);
        return Plan(stream.Value.Id, selected);
    }

    /// <summary>Our endpoint: any range up to 24 h, the fragment holding start through the last starting before end.</summary>
    public (ClipPlan? Plan, ClipFailure? Failure) Resolve(string name, string? startText, string? endText, string? clockText)
    {
        if (!TryTime(startText, out var startMs))
        {
            return (null, ClipFailure.Invalid("start", "start must be an ISO-8601 UTC time (2026-11-26T13:00:00Z) or epoch milliseconds"
                + (startText is null ? "." : $" (got \"{startText}\").")));
        }

        if (!TryTime(endText, out var endMs))
        {
            return (null, ClipFailure.Invalid("end", "end must be an ISO-8601 UTC time (2026-11-26T13:00:00Z) or epoch milliseconds"
                + (endText is null ? "." : $" (got \"{endText}\").")));
        }

        TimestampKind kind;
        switch (clockText)
        {
            case null or "producer":
                kind = TimestampKind.Producer;
                break;
            case "server":
                kind = TimestampKind.Server;
                break;
            default:
                return (null, ClipFailure.Invalid("clock", $"clock must be producer or server (got \"{clockText}\")."));
        }

        if (CheckRange(startMs, endMs, kind, "end") is { } bad)
        {
            return (null, bad);
        }

        var stream = store.Streams.Describe(new StreamRef(name, null));
        if (!stream.IsSuccess)
        {
            return (null, stream.Error.ToKvs() == KvsError.InvalidArgument
                ? ClipFailure.Invalid("name", stream.Message ?? "The stream name is invalid.")
                : new ClipFailure(ClipFailureKind.ResourceNotFound, null, $"Stream '{name}' does not exist."));
        }

        if (stream.Value!.DataRetentionInHours == 0)
        {
            return (null, new ClipFailure(ClipFailureKind.NoDataRetention, null, $"Stream '{name}' keeps no data (retention 0): there is nothing to make a clip of."));
        }

        return Plan(stream.Value.Id, ClipSelection.Covering(store.Index, stream.Value.Id, kind, startMs, endMs));
    }

    private ClipFailure? CheckRange(long startMs, long endMs, TimestampKind kind, string endField)
    {
        if (endMs <= startMs)
        {
            return ClipFailure.Invalid(endField, "The end must be after the start.");
        }

        if (endMs - startMs > ClipSelection.MaxRangeMs)
        {
            return ClipFailure.Invalid(endField, "The range must not exceed 24 hours.");
        }

        if (kind == TimestampKind.Server && endMs > time.GetUtcNow().ToUnixTimeMilliseconds())
        {
            return ClipFailure.Invalid(endField, "With server timestamps the end must be in the past.");
        }

        return null;
    }

    private (ClipPlan? Plan, ClipFailure? Failure) Plan(long streamId, List<FragmentEntry> selected)
    {
        if (selected.Count == 0)
        {
            return (null, new ClipFailure(ClipFailureKind.ResourceNotFound, null, "No fragments found in the stream for the clip request."));
        }

        var etag = ClipPlan.ETagOf(selected);
        if (cache.Find(etag) is { } known)
        {
            return (known, null);
        }

        var (plan, failure) = ClipPlanner.Build(store, selected, etag);
        if (plan is null)
        {
            ClipLog.Refused(logger, failure!.KvsName, failure.Message);
            return (null, failure);
        }

        metrics.Built(plan.BuildTime);
        var samples = 0;
        for (var t = 0; t < plan.Remux.Tracks.Count; t++)
        {
            samples += plan.Remux.Samples(t).Length;
        }

        ClipLog.Planned(logger, streamId, plan.Fragments.Length, plan.FileSize, samples, (long)plan.BuildTime.TotalMilliseconds);
        if (plan.CutAtFragment >= 0)
        {
            ClipLog.CutAtTrackChange(logger, streamId, selected[plan.CutAtFragment].Number);
        }

        cache.Add(plan);
        return (plan, null);
    }

    /// <summary>Epoch milliseconds (digits only) or an ISO-8601 time with Z or an offset (taken as UTC without one).</summary>
    private static bool TryTime(string? text, out long ms)
    {
        ms = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (text.All(char.IsAsciiDigit))
        {
            return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ms) && ms < 100_000_000_000_000;
        }

        if (text.Contains('T', StringComparison.Ordinal)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var when))
        {
            ms = when.ToUnixTimeMilliseconds();
            return ms >= 0;
        }

        return false;
    }
}
