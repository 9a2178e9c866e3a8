using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using VideoStreams.Media.Hls;
using VideoStreams.Server.Kvs;

namespace VideoStreams.Server.Playback.Hls.LowLatency;

/// <summary>
/// The resources of sessions served from a stream's <see cref="LlChannel"/> (LL-HLS sessions, and LIVE sessions of
/// retention-0 streams): every answer comes from memory. LL sessions get the low-latency playlist (parts, server
/// control, preload hint, blocking reload, delta updates); the others a standard live playlist of the same segments.
/// </summary>
/// <remarks>
/// Blocking rules (RFC 8216bis 6.2.5.2): <c>_HLS_msn=M</c> holds the playlist until segment M is complete,
/// <c>_HLS_msn=M&amp;_HLS_part=P</c> until part P of M (or anything later) is published; M more than two segments after
/// the newest is 400, <c>_HLS_part</c> without <c>_HLS_msn</c> is 400, and nothing within three target durations is
/// 503. A part or segment asked for before it is complete is held until it is, then sent whole with its length; one
/// that will not exist (its segment ended with fewer parts, or it left the window) is 404.
/// </remarks>
internal sealed class LlResources(LlChannels channels, LlMetrics metrics)
{
    public const string PartName = "getMP4MediaPart.mp4";

    /// <summary>How long a request may wait for a channel that has nothing yet (it has just started).</summary>
    private static readonly TimeSpan FirstMediaWait = TimeSpan.FromSeconds(10);

    public async Task<HlsAnswer> AnswerAsync(HttpContext context, HlsResource resource, HlsSession session, CancellationToken cancel)
    {
        var channel = channels.Get(session.StreamId);
        var query = context.Request.Query;
        var token = query["SessionToken"].ToString();
        var epoch = query["Epoch"].ToString();
        if (epoch.Length > 0 && epoch != channel.Epoch.ToString(CultureInfo.InvariantCulture))
        {
            return HlsAnswer.Fail(KvsError.ResourceNotFound, "The live channel this URI belongs to has stopped (no request for a while, or a restart): reload the playlist.");
        }

        return resource switch
        {
            HlsResource.Master => await MasterAsync(channel, session, token, cancel),
            HlsResource.Media => await MediaAsync(channel, session, query, token, cancel),
            HlsResource.Init => await InitAsync(channel, session, query, cancel),
            HlsResource.Segment => await MediaBytesAsync(channel, query, part: false, cancel),
            _ => session.LowLatency
                ? await MediaBytesAsync(channel, query, part: true, cancel)
                : HlsAnswer.Fail(KvsError.ResourceNotFound, "Parts exist only in low-latency sessions (GetHLSStreamingSessionURL with \"LowLatency\": true)."),
        };
    }

    /// <summary>
    /// The channel's view once it has a complete segment to list. A channel that has just started (the first viewer of
    /// a stream, or the first after an idle stop) joins the hub mid-fragment and holds only the parts of its first
    /// segment for up to two fragments; hls.js takes a playlist without a complete segment for an empty one
    /// (levelEmptyError, then a retry). So the first playlist waits for the segment: up to two target durations and a
    /// second, after which an LL session is answered with the parts so far (a standard one waits up to 10 s).
    /// </summary>
    private async Task<LlView?> FirstMediaAsync(LlChannel channel, bool lowLatency, CancellationToken cancel)
    {
        static bool HasSegment(LlView v) => v.Segments.Count > 0;
        var view = channel.View();
        if (HasSegment(view))
        {
            return view;
        }

        if (!lowLatency)
        {
            return await Wait(channel, "first", HasSegment, FirstMediaWait, cancel);
        }

        var segmentWait = TimeSpan.FromSeconds(Math.Min((2 * view.TargetDuration) + 1, FirstMediaWait.TotalSeconds));
        if (await Wait(channel, "first", HasSegment, segmentWait, cancel) is { } withSegment)
        {
            return withSegment;
        }

        // No complete segment yet (fragments longer than the wait): the parts so far, or the first part within the 10 s.
        view = channel.View();
        if (!view.IsEmpty)
        {
            return view;
        }

        var left = FirstMediaWait - segmentWait;
        return left > TimeSpan.Zero ? await Wait(channel, "first", v => !v.IsEmpty, left, cancel) : null;
    }

    private async Task<HlsAnswer> MasterAsync(LlChannel channel, HlsSession session, string token, CancellationToken cancel)
    {
        if (await FirstMediaAsync(channel, session.LowLatency, cancel) is not { } view)
        {
            return NoFragments();
        }

        var init = view.Current?.Init ?? view.Segments[^1].Init;
        double peak = 1;
        foreach (var segment in view.Segments)
        {
            peak = Math.Max(peak, segment.Bytes.Length * 8.0 / Math.Max(segment.Duration, 0.1));
        }

        foreach (var part in view.CurrentParts)
        {
            peak = Math.Max(peak, part.Bytes.Length * 8.0 / Math.Max(part.Duration, 0.1) / 2); // parts of a GOP's start are larger
        }

        var playlist = new HlsMultivariantPlaylist
        {
            IndependentSegments = true,
            Variants =
            [
                new HlsVariantStream
                {
                    Bandwidth = (long)Math.Ceiling(peak),
                    Codecs = init.Codecs,
                    Width = init.Width,
                    Height = init.Height,
                    Uri = $"{HlsResources.MediaName}?SessionToken={token}&TrackNumber=1",
                },
            ],
        };
        var buffer = new ArrayBufferWriter<byte>(512);
        HlsPlaylistWriter.Write(playlist, buffer);
        return new HlsAnswer(null, buffer.WrittenMemory, HlsResources.PlaylistType, false);
    }

    private async Task<HlsAnswer> MediaAsync(LlChannel channel, HlsSession session, IQueryCollection query, string token, CancellationToken cancel)
    {
        long? msn = null;
        int? part = null;
        var skip = false;
        if (session.LowLatency)
        {
            var msnText = query["_HLS_msn"].ToString();
            var partText = query["_HLS_part"].ToString();
            if (msnText.Length > 0)
            {
                if (!long.TryParse(msnText, NumberStyles.None, CultureInfo.InvariantCulture, out var m))
                {
                    return HlsAnswer.Fail(KvsError.InvalidArgument, "_HLS_msn must be a non-negative integer.");
                }

                msn = m;
            }

            if (partText.Length > 0)
            {
                if (msn is null)
                {
                    return HlsAnswer.Fail(KvsError.InvalidArgument, "_HLS_part requires _HLS_msn.");
                }

                if (!int.TryParse(partText, NumberStyles.None, CultureInfo.InvariantCulture, out var p))
                {
                    return HlsAnswer.Fail(KvsError.InvalidArgument, "_HLS_part must be a non-negative integer.");
                }

                part = p;
            }

            skip = query["_HLS_skip"].ToString() is "YES" or "v2";
        }

        if (await FirstMediaAsync(channel, session.LowLatency, cancel) is not { } view)
        {
            return NoFragments();
        }

        if (msn is { } wanted)
        {
            var last = Math.Max(view.LastMsn, view.NextMsn - 1);
            if (wanted > last + 2)
            {
                return HlsAnswer.Fail(KvsError.InvalidArgument, $"_HLS_msn {wanted} is more than two segments after the newest one ({last}).");
            }

            if (!view.Reached(wanted, part))
            {
                var timeout = TimeSpan.FromSeconds(3 * view.TargetDuration);
                if (await Wait(channel, "media", v => v.Reached(wanted, part), timeout, cancel) is not { } ready)
                {
                    return HlsAnswer.Fail(KvsError.ServiceUnavailable,
                        $"Segment {wanted}{(part is { } p ? $" part {p}" : "")} did not appear within three target durations ({timeout.TotalSeconds} s).");
                }

                view = ready;
            }
        }

        var playlist = LlPlaylist.Build(view, token, session.LowLatency, skip, session.MaxResults);
        var buffer = new ArrayBufferWriter<byte>(1024 + (view.Segments.Count * 400));
        HlsPlaylistWriter.Write(playlist, buffer);
        return new HlsAnswer(null, buffer.WrittenMemory, HlsResources.PlaylistType, false);
    }

    private async Task<HlsAnswer> InitAsync(LlChannel channel, HlsSession session, IQueryCollection query, CancellationToken cancel)
    {
        if (await FirstMediaAsync(channel, session.LowLatency, cancel) is not { } view)
        {
            return NoFragments();
        }

        var text = query["Init"].ToString();
        if (text.Length == 0)
        {
            return new HlsAnswer(null, (view.Current?.Init ?? view.Segments[^1].Init).Bytes, HlsResources.Mp4Type, true);
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return HlsAnswer.Fail(KvsError.InvalidArgument, "Init must be a non-negative integer.");
        }

        var init = view.Current?.Init.Id == id ? view.Current.Init : view.Segments.FirstOrDefault(s => s.Init.Id == id)?.Init;
        return init is null
            ? HlsAnswer.Fail(KvsError.ResourceNotFound, $"Init {id} is not held any more (it belongs to segments that left the live window).")
            : new HlsAnswer(null, init.Bytes, HlsResources.Mp4Type, true);
    }

    /// <summary>A segment (<c>MSN</c>) or a part (<c>MSN</c>, <c>Part</c>), held until complete.</summary>
    private async Task<HlsAnswer> MediaBytesAsync(LlChannel channel, IQueryCollection query, bool part, CancellationToken cancel)
    {
        if (!long.TryParse(query["MSN"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var msn))
        {
            return HlsAnswer.Fail(KvsError.InvalidArgument, "MSN must be a non-negative integer (the segment's media sequence number).");
        }

        var index = 0;
        if (part && !int.TryParse(query["Part"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out index))
        {
            return HlsAnswer.Fail(KvsError.InvalidArgument, "Part must be a non-negative integer (the part's index in its segment).");
        }

        var view = channel.View();
        var state = Find(view, msn, part ? index : null, out var bytes);
        if (state == Availability.Pending)
        {
            var timeout = TimeSpan.FromSeconds(3 * view.TargetDuration);
            var resource = part ? "part" : "segment";
            var ready = await Wait(channel, resource, v => Find(v, msn, part ? index : null, out _) != Availability.Pending, timeout, cancel);
            if (ready is null)
            {
                return HlsAnswer.Fail(KvsError.ServiceUnavailable, $"{(part ? $"Part {index} of segment" : "Segment")} {msn} was not complete within three target durations ({timeout.TotalSeconds} s).");
            }

            state = Find(ready, msn, part ? index : null, out bytes);
        }

        return state == Availability.Ready
            ? new HlsAnswer(null, bytes, HlsResources.Mp4Type, true)
            : HlsAnswer.Fail(KvsError.ResourceNotFound, part
                ? $"Part {index} of segment {msn} does not exist in this live window."
                : $"Segment {msn} does not exist in this live window.");
    }

    private enum Availability
    {
        Ready,
        Pending,
        Never,
    }

    private static Availability Find(LlView view, long msn, int? part, out ReadOnlyMemory<byte> bytes)
    {
        bytes = default;
        if (view.Find(msn) is { } segment)
        {
            var parts = ReferenceEquals(segment, view.Current) ? view.CurrentParts : segment.Parts;
            if (part is { } p)
            {
                if (p < parts.Length)
                {
                    bytes = parts[p].Bytes;
                    return Availability.Ready;
                }
            }
            else if (segment.Complete)
            {
                bytes = segment.Bytes;
                return Availability.Ready;
            }

            return segment.Complete ? Availability.Never : Availability.Pending;
        }

        // The next segment (the preload hint's before its first part) is coming; older or further ones are not.
        return msn == view.NextMsn ? Availability.Pending : Availability.Never;
    }

    private async Task<LlView?> Wait(LlChannel channel, string resource, Func<LlView, bool> ready, TimeSpan timeout, CancellationToken cancel)
    {
        var started = Stopwatch.GetTimestamp();
        var view = await channel.WaitAsync(ready, timeout, cancel);
        metrics.Blocked(resource, view is null ? "timeout" : "ready", Stopwatch.GetElapsedTime(started));
        return view;
    }

    private static HlsAnswer NoFragments() => HlsAnswer.Fail(KvsError.ResourceNotFound, "No fragments found in the stream for the streaming request.");
}
