using System.Security.Cryptography;
using VideoStreams.Server.Kvs;
using VideoStreams.Server.Live;
using VideoStreams.Server.Playback.Hls.LowLatency;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Playback.Hls;

/// <summary>
/// GetHLSStreamingSessionURL (KVS-API.md §4): checks the request field by field as KVS does, checks there is
/// something to play, and answers the master playlist URL carrying a signed session token.
/// </summary>
internal sealed class HlsSessionService(FragmentStore store, HlsTokens tokens, HlsMetrics metrics,
    ServerOptions options, LiveHub hub, LlChannels channels, TimeProvider time, ILogger<HlsSessionService> logger)
{
    public const int MinExpires = 300;
    public const int MaxExpires = 43_200;
    public const int MaxMaxResults = 5000;
    public const long LiveFreshnessMs = 30_000;
    public const string MasterPath = "/hls/v1/getHLSMasterPlaylist.m3u8";
    private const long MaxRangeMs = 24 * 3600 * 1000L;
    private const string NoFragments = "No fragments found in the stream for the streaming request.";

    public KvsReply GetUrl(GetHlsStreamingSessionUrlInput input, HttpRequest request)
    {
        var mode = input.PlaybackMode switch
        {
            null or "LIVE" => HlsMode.Live,
            "LIVE_REPLAY" => HlsMode.LiveReplay,
            "ON_DEMAND" => HlsMode.OnDemand,
            _ => (HlsMode?)null,
        };
        if (mode is null)
        {
            return Invalid($"PlaybackMode must be LIVE, LIVE_REPLAY or ON_DEMAND{Got(input.PlaybackMode)}.");
        }

        var lowLatency = input.LowLatency == true;
        if (lowLatency && mode != HlsMode.Live)
        {
            return Invalid($"LowLatency is only supported with PlaybackMode LIVE (got {ModeName(mode.Value)}).");
        }

        var selector = input.HLSFragmentSelector;
        if (selector is null && mode != HlsMode.Live)
        {
            return Invalid($"HLSFragmentSelector with a TimestampRange is required for {ModeName(mode.Value)}.");
        }

        var clock = selector?.FragmentSelectorType switch
        {
            null or "SERVER_TIMESTAMP" => TimestampKind.Server,
            "PRODUCER_TIMESTAMP" => TimestampKind.Producer,
            _ => (TimestampKind?)null,
        };
        if (clock is null)
        {
            return Invalid($"HLSFragmentSelector.FragmentSelectorType must be PRODUCER_TIMESTAMP or SERVER_TIMESTAMP{Got(selector?.FragmentSelectorType)}.");
        }

        if (selector is not null && selector.FragmentSelectorType is null && mode != HlsMode.Live)
        {
            return Invalid($"HLSFragmentSelector.FragmentSelectorType is required for {ModeName(mode.Value)}.");
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        long startMs = 0, endMs = long.MaxValue;
        var range = selector?.TimestampRange;
        if (mode == HlsMode.Live)
        {
            if (range is not null)
            {
                return Invalid("HLSFragmentSelector.TimestampRange must not be set when PlaybackMode is LIVE.");
            }
        }
        else
        {
            if (range?.StartTimestamp is not { } start)
            {
                return Invalid($"HLSFragmentSelector.TimestampRange.StartTimestamp is required for {ModeName(mode.Value)}.");
            }

            if (!ListFragmentsService.IsEpoch(start))
            {
                return Invalid("HLSFragmentSelector.TimestampRange.StartTimestamp must be epoch seconds.");
            }

            startMs = ListFragmentsService.ToMs(start);
            if (range.EndTimestamp is { } end)
            {
                if (!ListFragmentsService.IsEpoch(end))
                {
                    return Invalid("HLSFragmentSelector.TimestampRange.EndTimestamp must be epoch seconds.");
                }

                endMs = ListFragmentsService.ToMs(end);
                if (endMs <= startMs)
                {
                    return Invalid("HLSFragmentSelector.TimestampRange.EndTimestamp must be after StartTimestamp.");
                }

                if (endMs - startMs > MaxRangeMs)
                {
                    return Invalid("HLSFragmentSelector.TimestampRange.EndTimestamp must be within 24 hours of StartTimestamp.");
                }

                if (clock == TimestampKind.Server && endMs > now)
                {
                    return Invalid("HLSFragmentSelector.TimestampRange.EndTimestamp must be in the past with SERVER_TIMESTAMP.");
                }
            }
            else if (mode == HlsMode.OnDemand)
            {
                return Invalid("HLSFragmentSelector.TimestampRange.EndTimestamp is required for ON_DEMAND.");
            }
        }

        switch (input.ContainerFormat)
        {
            case null or "FRAGMENTED_MP4":
                break;
            case "MPEG_TS":
                return Invalid("ContainerFormat MPEG_TS is not served by this server: only FRAGMENTED_MP4 is.");
            default:
                return Invalid($"ContainerFormat must be FRAGMENTED_MP4 or MPEG_TS{Got(input.ContainerFormat)}.");
        }

        var discontinuity = input.DiscontinuityMode switch
        {
            null => clock == TimestampKind.Server ? HlsDiscontinuity.Always : HlsDiscontinuity.Never,
            "ALWAYS" => HlsDiscontinuity.Always,
            "NEVER" => HlsDiscontinuity.Never,
            "ON_DISCONTINUITY" => HlsDiscontinuity.OnDiscontinuity,
            _ => (HlsDiscontinuity?)null,
        };
        if (discontinuity is null)
        {
            return Invalid($"DiscontinuityMode must be ALWAYS, NEVER or ON_DISCONTINUITY{Got(input.DiscontinuityMode)}.");
        }

        var display = input.DisplayFragmentTimestamp switch
        {
            null or "NEVER" => false,
            "ALWAYS" => true,
            _ => (bool?)null,
        };
        if (display is null)
        {
            return Invalid($"DisplayFragmentTimestamp must be ALWAYS or NEVER{Got(input.DisplayFragmentTimestamp)}.");
        }

        if (input.Expires is < MinExpires or > MaxExpires)
        {
            return Invalid($"Expires must be from {MinExpires} to {MaxExpires} seconds (got {input.Expires}).");
        }

        if (input.MaxMediaPlaylistFragmentResults is < 1 or > MaxMaxResults)
        {
            return Invalid($"MaxMediaPlaylistFragmentResults must be from 1 to {MaxMaxResults} (got {input.MaxMediaPlaylistFragmentResults}).");
        }

        var described = store.Streams.Describe(input.ToRef());
        if (!described.IsSuccess)
        {
            return KvsReply.Fail(described.Error.ToKvs(), described.Message ?? "The requested stream is not found or not active.");
        }

        var stream = described.Value!;
        var fromHub = mode == HlsMode.Live && (lowLatency || stream.DataRetentionInHours == 0);
        if (stream.DataRetentionInHours == 0 && !fromHub)
        {
            return KvsReply.Fail(KvsError.NoDataRetention, $"Stream {stream.Name} keeps no data (DataRetentionInHours is 0): only PlaybackMode LIVE can play it, from the live edge.");
        }

        var maxResults = (int)(input.MaxMediaPlaylistFragmentResults ?? (mode == HlsMode.OnDemand ? 1000 : 5));
        var targetHint = 1;
        if (fromHub)
        {
            // Played from the live hub: the stream must be ingesting, or have been within the last 30 s.
            if (LiveFragment(stream.Id, stream.DataRetentionInHours == 0, now) is not { } newestMs)
            {
                return KvsReply.Fail(KvsError.ResourceNotFound, NoFragments);
            }

            targetHint = Math.Max(1, (int)Math.Round(newestMs / 1000.0, MidpointRounding.AwayFromZero));
            startMs = now;
        }
        else if (mode == HlsMode.Live)
        {
            // KVS: nothing arrived in the last 30 s means there is no live stream to play.
            var newest = store.Index.Extent(stream.Id, TimestampKind.Server)?.Last;
            if (newest is not { } n || n.ServerTimestampMs < now - LiveFreshnessMs)
            {
                return KvsReply.Fail(KvsError.ResourceNotFound, NoFragments);
            }

            // The session may list fragments from the oldest of the newest N on (see HlsSession.StartMs).
            var window = store.Index.ListByTime(stream.Id, clock.Value, 0, long.MaxValue / 4, maxResults, descending: true).Fragments;
            startMs = clock == TimestampKind.Producer ? window[^1].ProducerTimestampMs : window[^1].ServerTimestampMs;
        }
        else if (store.Index.ListByTime(stream.Id, clock.Value, startMs, Math.Min(endMs, long.MaxValue / 4), 1).Fragments.Count == 0)
        {
            return KvsReply.Fail(KvsError.ResourceNotFound, NoFragments);
        }

        var session = new HlsSession(stream.Id, mode.Value, clock.Value, startMs, endMs, discontinuity.Value, display.Value, maxResults,
            SessionId: BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8)), CreatedMs: now, ExpiresMs: now + ((input.Expires ?? MinExpires) * 1000),
            LowLatency: lowLatency, FromHub: fromHub);
        if (fromHub)
        {
            channels.Get(stream.Id, targetHint); // packaging starts now, so the first playlist comes sooner
        }

        var token = tokens.Sign(session);
        metrics.SessionCreated(mode.Value);
        var modeName = ModeName(mode.Value);
        HlsLog.SessionCreated(logger, session.SessionId, stream.Id, modeName, (session.ExpiresMs - now) / 1000);
        var baseUrl = string.IsNullOrEmpty(options.PublicBaseUrl)
            ? $"{request.Scheme}://{request.Host.ToUriComponent()}{request.PathBase}"
            : options.PublicBaseUrl.TrimEnd('/');
        return KvsReply.Ok(new GetHlsStreamingSessionUrlOutput($"{baseUrl}{MasterPath}?SessionToken={token}"), HlsJson.Default.GetHlsStreamingSessionUrlOutput);
    }

    /// <summary>
    /// The newest fragment's duration (ms) when the stream is live: ingesting now, or a fragment arrived within
    /// <see cref="LiveFreshnessMs"/> (from the store, or the hub's recent buffer for a retention-0 stream); null otherwise.
    /// </summary>
    private int? LiveFragment(long streamId, bool volatileStream, long now)
    {
        int? duration = null;
        long newestMs = long.MinValue;
        if (volatileStream)
        {
            using var probe = hub.Subscribe(streamId, frames: false, recent: true);
            if (probe.Recent.Count > 0)
            {
                var last = probe.Recent[^1].Fragment!;
                (duration, newestMs) = (last.DurationMs, last.ServerTimestampMs);
            }
        }
        else if (store.Index.Extent(streamId, TimestampKind.Server)?.Last is { } last)
        {
            (duration, newestMs) = (last.DurationMs, last.ServerTimestampMs);
        }

        return newestMs >= now - LiveFreshnessMs ? duration ?? 1000
            : hub.IsIngesting(streamId) ? duration ?? 1000
            : null;
    }

    public static string ModeName(HlsMode mode) => mode switch
    {
        HlsMode.Live => "LIVE",
        HlsMode.LiveReplay => "LIVE_REPLAY",
        _ => "ON_DEMAND",
    };

    private static KvsReply Invalid(string message) => KvsReply.Fail(KvsError.InvalidArgument, message);

    private static string Got(string? value) => value is null ? "" : $" (got \"{value}\")";
}
