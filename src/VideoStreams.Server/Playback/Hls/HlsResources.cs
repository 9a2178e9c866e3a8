using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using VideoStreams.Media.Hls;
using VideoStreams.Server.Kvs;
using VideoStreams.Server.Playback.Hls.LowLatency;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Playback.Hls;

internal enum HlsResource
{
    Master,
    Media,
    Init,
    Segment,
    /// <summary>A low-latency part (LL-HLS sessions only).</summary>
    Part,
}

/// <summary>What a resource answers: a KVS-style failure, or a body with its type.</summary>
internal readonly record struct HlsAnswer(KvsReply? Failure, ReadOnlyMemory<byte> Body, string? ContentType, bool Cacheable)
{
    public static HlsAnswer Fail(KvsError error, string message) => new(KvsReply.Fail(error, message), default, null, false);
}

/// <summary>
/// The resources a session URL leads to (KVS-API.md §4 table): plain GET or HEAD, the session token as the only
/// credential. Every request checks the token (signature, expiry) and that what it asks for belongs to the session
/// (its stream, its range); refusals are 4xx in KVS's JSON error shape.
/// </summary>
internal sealed class HlsResources(FragmentStore store, HlsTokens tokens, HlsSelection selection, HlsPackager packager,
    LlResources live, HlsMetrics metrics, TimeProvider time, ILogger<HlsResources> logger)
{
    public const string MasterName = "getHLSMasterPlaylist.m3u8";
    public const string MediaName = "getHLSMediaPlaylist.m3u8";
    public const string InitName = "getMP4InitFragment.mp4";
    public const string SegmentName = "getMP4MediaFragment.mp4";
    public const string PlaylistType = "application/vnd.apple.mpegurl";
    public const string Mp4Type = "video/mp4";

    public async Task ServeAsync(HttpContext context, HlsResource resource)
    {
        var started = Stopwatch.GetTimestamp();
        var name = resource.ToString().ToLowerInvariant();
        var response = context.Response;
        var cancel = context.RequestAborted;
        long sent = 0;
        try
        {
            var problem = tokens.Check(context.Request.Query["SessionToken"], out var session);
            HlsAnswer answer;
            if (problem != HlsTokenProblem.None)
            {
                metrics.TokenRejected(problem);
                HlsLog.TokenRefused(logger, name, context.TraceIdentifier, problem);
                answer = problem switch
                {
                    HlsTokenProblem.Missing => HlsAnswer.Fail(KvsError.InvalidArgument, "SessionToken is required."),
                    HlsTokenProblem.Malformed => HlsAnswer.Fail(KvsError.InvalidArgument, "SessionToken is not a session token of this server."),
                    HlsTokenProblem.BadSignature => HlsAnswer.Fail(KvsError.NotAuthorized, "SessionToken is not valid: it was altered or signed by another server."),
                    _ => HlsAnswer.Fail(KvsError.NotAuthorized, "The streaming session has expired."),
                };
            }
            else
            {
                answer = TrackProblem(context.Request) ?? (session!.FromHub
                    ? await live.AnswerAsync(context, resource, session, cancel)
                    : resource switch
                    {
                        HlsResource.Master => Master(context, session),
                        HlsResource.Media => Media(context, session),
                        HlsResource.Init => Init(context, session),
                        HlsResource.Segment => Segment(context, session),
                        _ => HlsAnswer.Fail(KvsError.ResourceNotFound, "Parts exist only in low-latency sessions (GetHLSStreamingSessionURL with \"LowLatency\": true)."),
                    });
                if (answer.Failure is { } failure)
                {
                    var errorType = failure.Error.Name();
                    HlsLog.Refused(logger, name, context.TraceIdentifier, session!.SessionId, errorType, failure.Message ?? "");
                }
            }

            if (answer.Failure is { } refusal)
            {
                await refusal.WriteAsync(response, cancel);
                return;
            }

            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = answer.ContentType;
            response.ContentLength = answer.Body.Length;
            response.Headers.CacheControl = answer.Cacheable
                ? $"max-age={Math.Max(0, (session!.ExpiresMs - time.GetUtcNow().ToUnixTimeMilliseconds()) / 1000)}"
                : "no-cache";
            if (!HttpMethods.IsHead(context.Request.Method))
            {
                await response.Body.WriteAsync(answer.Body, cancel);
                sent = answer.Body.Length;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            HlsLog.Failed(logger, e, name, context.TraceIdentifier);
            if (!response.HasStarted)
            {
                await KvsReply.Fail(KvsError.InternalFailure, $"The server failed to process the request (request id {context.TraceIdentifier}).").WriteAsync(response, cancel);
            }
        }
        finally
        {
            metrics.Request(name, response.StatusCode, Stopwatch.GetElapsedTime(started), sent);
        }
    }

    /// <summary>Audio is muxed into track 1's segments: there is no other track to ask for.</summary>
    private static HlsAnswer? TrackProblem(HttpRequest request)
    {
        var track = request.Query["TrackNumber"].ToString();
        return track is "" or "1" ? null : HlsAnswer.Fail(KvsError.ResourceNotFound, $"TrackNumber {track} is not a track of this session (track 1 holds video and audio).");
    }

    private HlsAnswer Master(HttpContext context, HlsSession session)
    {
        var window = selection.Window(session);
        if (window.Items.Count == 0)
        {
            return NoFragments();
        }

        var first = window.Items[0];
        if (Entry(first.MapFragment) is not { } mapEntry)
        {
            return NoFragments();
        }

        var init = packager.Init(mapEntry, session.Selected(mapEntry));
        if (!init.IsSuccess)
        {
            return Failed(init.Error, init.Message);
        }

        // BANDWIDTH is the peak: the largest bit rate of a listed fragment.
        double peak = 1;
        foreach (var item in window.Items)
        {
            peak = Math.Max(peak, item.Entry.Size * 8.0 * 1000 / Math.Max(item.Entry.DurationMs, 1));
        }

        var token = Token(context);
        var playlist = new HlsMultivariantPlaylist
        {
            IndependentSegments = true,
            Variants =
            [
                new HlsVariantStream
                {
                    Bandwidth = (long)Math.Ceiling(peak),
                    Codecs = init.Value!.Codecs,
                    Width = init.Value.Width,
                    Height = init.Value.Height,
                    Uri = $"{MediaName}?SessionToken={token}&TrackNumber=1",
                },
            ],
        };
        var buffer = new ArrayBufferWriter<byte>(512);
        HlsPlaylistWriter.Write(playlist, buffer);
        return new HlsAnswer(null, buffer.WrittenSpan.ToArray(), PlaylistType, session.Mode == HlsMode.OnDemand);
    }

    private HlsAnswer Media(HttpContext context, HlsSession session)
    {
        var window = selection.Window(session);
        if (window.Items.Count == 0)
        {
            return NoFragments();
        }

        var token = Token(context);
        var segments = new HlsSegment[window.Items.Count];
        for (var i = 0; i < segments.Length; i++)
        {
            var item = window.Items[i];
            var changesMap = i > 0 && item.MapFragment != window.Items[i - 1].MapFragment;
            segments[i] = new HlsSegment
            {
                Duration = item.Entry.DurationMs / 1000.0,
                Uri = string.Create(CultureInfo.InvariantCulture,
                    $"{SegmentName}?FragmentNumber={FragmentNumber.Format(item.Entry.Number)}&SessionToken={token}&TrackNumber=1&SequenceNumber={item.Sequence}"),
                Discontinuity = item.Discontinuity,
                Map = changesMap ? new HlsMap(InitUri(token, item.MapFragment)) : null,
                ProgramDateTime = session.DisplayTimestamp ? DateTimeOffset.FromUnixTimeMilliseconds(session.Selected(item.Entry)) : null,
            };
        }

        var playlist = new HlsMediaPlaylist
        {
            TargetDuration = window.TargetDuration,
            MediaSequence = window.MediaSequence,
            DiscontinuitySequence = window.DiscontinuitySequence,
            PlaylistType = session.Mode == HlsMode.OnDemand ? HlsPlaylistType.Vod : HlsPlaylistType.None,
            IndependentSegments = true,
            Map = new HlsMap(InitUri(token, window.Items[0].MapFragment)),
            Segments = segments,
            EndList = window.Ended,
        };
        var buffer = new ArrayBufferWriter<byte>(256 + (segments.Length * 300));
        HlsPlaylistWriter.Write(playlist, buffer);
        return new HlsAnswer(null, buffer.WrittenSpan.ToArray(), PlaylistType, session.Mode == HlsMode.OnDemand);
    }

    private HlsAnswer Init(HttpContext context, HlsSession session)
    {
        FragmentEntry entry;
        if (context.Request.Query["FragmentNumber"].Count == 0)
        {
            // No fragment named: the session's first.
            var first = selection.Ascending(session, session.StartMs, session.EndMs).Take(1).ToList();
            if (first.Count == 0)
            {
                return NoFragments();
            }

            entry = first[0];
        }
        else if (SessionFragment(context, session, out entry) is { } problem)
        {
            return problem;
        }

        var init = packager.Init(entry, session.Selected(entry));
        return init.IsSuccess ? new HlsAnswer(null, init.Value!.Bytes, Mp4Type, true) : Failed(init.Error, init.Message);
    }

    private HlsAnswer Segment(HttpContext context, HlsSession session)
    {
        if (SessionFragment(context, session, out var entry) is { } problem)
        {
            return problem;
        }

        var sequenceText = context.Request.Query["SequenceNumber"].ToString();
        uint sequence = 1;
        if (sequenceText.Length > 0 && !uint.TryParse(sequenceText, NumberStyles.None, CultureInfo.InvariantCulture, out sequence))
        {
            return HlsAnswer.Fail(KvsError.InvalidArgument, "SequenceNumber must be a non-negative integer.");
        }

        var package = packager.Segment(entry, session.Selected(entry), sequence);
        return package.IsSuccess ? new HlsAnswer(null, package.Value.Segment, Mp4Type, true) : Failed(package.Error, package.Message);
    }

    /// <summary>The FragmentNumber asked for, when it is one of the session's: its stream, inside its range.</summary>
    private HlsAnswer? SessionFragment(HttpContext context, HlsSession session, out FragmentEntry entry)
    {
        entry = default;
        var text = context.Request.Query["FragmentNumber"].ToString();
        if (text.Length == 0)
        {
            return HlsAnswer.Fail(KvsError.InvalidArgument, "FragmentNumber is required.");
        }

        if (!FragmentNumber.TryParse(text, out var number) || Entry(number) is not { } found || !session.Contains(found))
        {
            return HlsAnswer.Fail(KvsError.ResourceNotFound, $"Fragment {text} is not part of this streaming session.");
        }

        entry = found;
        return null;
    }

    private FragmentEntry? Entry(long number) => store.Index.GetFragment(number);

    private static string Token(HttpContext context) => context.Request.Query["SessionToken"].ToString();

    private static string InitUri(string token, long fragment) =>
        $"{InitName}?SessionToken={token}&TrackNumber=1&FragmentNumber={FragmentNumber.Format(fragment)}";

    private static HlsAnswer NoFragments() => HlsAnswer.Fail(KvsError.ResourceNotFound, "No fragments found in the stream for the streaming request.");

    private static HlsAnswer Failed(StorageError error, string? message) =>
        HlsAnswer.Fail(error == StorageError.InvalidArgument ? KvsError.InvalidArgument : error.ToKvs(), message ?? error.ToString());
}
