using System.Net;
using VideoStreams.Server.Tests.Ingest;

namespace VideoStreams.Server.Tests.Playback.Hls.LowLatency;

/// <summary>
/// LL-HLS from a real ingest: a camera sends real H.264 frames one by one (unknown-size clusters), the session's
/// playlists are checked by <see cref="LlParsedPlaylist"/> on every reload, and parts, segments and inits are read back
/// and judged by ffprobe.
/// </summary>
public sealed class LowLatencyHlsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static readonly TimeSpan FrameDelay = TimeSpan.FromMilliseconds(100); // the test video's 10 fps

    private readonly HttpClient _client = server.CreateClient();

    private async Task<(LlCamera Camera, Uri Master)> LiveAsync(string stream, int retentionHours = 1, bool lowLatency = true)
    {
        (await _client.KvsAsync("createStream", new { StreamName = stream, DataRetentionInHours = retentionHours })).Ok();
        var camera = await LlCamera.StartAsync(server.BaseUrl, stream);
        await camera.SendFragmentAsync(TimeSpan.Zero);
        if (retentionHours > 0)
        {
            // The session's channel must join in the middle of a fragment the server is already reading (so that the
            // fragment sent after the session is segment 0): the second fragment's start completes the first, so once
            // the first is listed, the server is inside the second. A busy CI machine once parsed a fragment sent
            // before the session only after the channel had joined, and every segment number was one off.
            await camera.SendFragmentAsync(TimeSpan.Zero);
            for (var attempt = 0; (await _client.ListFragmentsAsync(stream)).Count == 0; attempt++)
            {
                Assert.True(attempt < 100, "the first fragment was never listed");
                await Task.Delay(100);
            }
        }

        for (var attempt = 0; ; attempt++)
        {
            var reply = await _client.KvsAsync("/getHLSStreamingSessionURL", new { StreamName = stream, PlaybackMode = "LIVE", LowLatency = lowLatency });
            if (reply.Status == HttpStatusCode.OK)
            {
                // The session started the stream's channel, which joined mid-fragment: it packages from the next one.
                await camera.SendFragmentAsync(TimeSpan.Zero);
                return (camera, new Uri(reply.Body.GetProperty("HLSStreamingSessionURL").GetString()!));
            }

            Assert.True(attempt < 100, $"no live session: {reply.Body}");
            await Task.Delay(100);
        }
    }

    private async Task<LlParsedPlaylist> PlaylistAsync(Uri media, string query = "")
    {
        var fetched = (await _client.FetchAsync(new Uri(media + query))).Ok(HlsTestKit.Playlist);
        return LlParsedPlaylist.Parse(fetched.Text);
    }

    /// <summary>Blocking reloads until segment <paramref name="msn"/> has <paramref name="parts"/> parts (or is complete).</summary>
    private async Task<LlParsedPlaylist> UntilAsync(Uri media, long msn, int parts)
    {
        for (var attempt = 0; ; attempt++)
        {
            var playlist = (await PlaylistAsync(media)).Check();
            if (playlist.All.Any(s => s.Msn > msn || (s.Msn == msn && (s.Parts.Count >= parts || s.Uri is not null))))
            {
                return playlist;
            }

            Assert.True(attempt < 300, $"segment {msn} never had {parts} parts:\n{playlist.Text}");
            await Task.Delay(100);
        }
    }

    private async Task<byte[]> BytesAsync(Uri media, string uri) => (await _client.FetchAsync(new Uri(media, uri))).Ok(HlsTestKit.Mp4).Body;

    [Fact]
    public async Task Parts_appear_while_the_fragment_is_sent_and_every_reload_keeps_the_rules()
    {
        var (camera, master) = await LiveAsync("ll-rules");
        await using var _ = camera;
        var media = await _client.MediaPlaylistUrlAsync(master);
        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < 3; i++)
            {
                await camera.SendFragmentAsync(FrameDelay);
            }

            await camera.SendFragmentAsync(TimeSpan.Zero); // its start completes the last paced fragment (segment 3)
        });

        // Blocking reloads for the hinted part, as an LL player does, until the camera is done.
        var previous = (await PlaylistAsync(media)).Check();
        var sawPartsInProgress = false;
        var reloads = 0;
        while (!sending.IsCompleted || previous.Segments.Count == 0 || previous.Segments[^1].Msn < 3)
        {
            var hint = previous.PreloadHints[0];
            var next = (await PlaylistAsync(media, $"&_HLS_msn={LlParsedPlaylist.Query(hint, "MSN")}&_HLS_part={LlParsedPlaylist.Query(hint, "Part")}")).Check();
            previous.CheckReload(next);
            var (msn, part) = (LlParsedPlaylist.Query(hint, "MSN"), LlParsedPlaylist.Query(hint, "Part"));
            Assert.True(next.All.Any(s => s.Msn > msn || (s.Msn == msn && (s.Parts.Count > part || s.Uri is not null))),
                $"a blocking reload answers once the part asked for exists (or its segment ended before it):\n{next.Text}");
            sawPartsInProgress |= next.InProgress is { Parts.Count: > 0 and < 5 };
            previous = next;
            reloads++;
            Assert.True(reloads < 200, "the camera should be done by now");
        }

        await sending;
        Assert.True(sawPartsInProgress, "parts of a fragment were listed before the fragment was complete");

        // The newest complete segment: its parts back to back are the segment, INDEPENDENT parts start with an IDR,
        // and ffprobe reads init + segment and init + parts alike.
        Assert.True(reloads > 10, $"{reloads} reloads");
        var playlist = (await PlaylistAsync(media)).Check();
        var segment = playlist.Segments.Last(s => s.Parts.Count > 0);
        var init = await BytesAsync(media, segment.Map!);
        var parts = new List<byte[]>();
        foreach (var part in segment.Parts)
        {
            var bytes = await BytesAsync(media, part.Uri);
            parts.Add(bytes);
            var keyframes = await LlProbe.KeyframesAsync(init, bytes);
            Assert.NotEmpty(keyframes);
            Assert.Equal(part.Independent, keyframes[0]);
        }

        Assert.True(segment.Parts[0].Independent, "a fragment starts with its keyframe");
        Assert.True(segment.Parts.Count >= 4, $"a one-second fragment in parts of 200 ms: {segment.Parts.Count}");
        var whole = await BytesAsync(media, segment.Uri!);
        Assert.Equal(whole, parts.SelectMany(p => p).ToArray());
        var segmentFrames = await LlProbe.KeyframesAsync(init, whole);
        Assert.Equal(10, segmentFrames.Count);
        Assert.Equal(segmentFrames, await LlProbe.KeyframesAsync(init, [.. parts]));
        (await camera.EndAsync()).NoErrors();
    }

    [Fact]
    public async Task A_new_channel_answers_its_first_playlists_once_they_can_list_a_complete_segment()
    {
        // The session starts the channel mid-fragment; the fragment sent next is its first segment, complete only when
        // the one after it begins. hls.js takes a playlist of parts without a complete segment for an empty one
        // (levelEmptyError), so the first master and media playlists must not be answered before that.
        var (camera, master) = await LiveAsync("ll-first");
        await using var _ = camera;
        var asked = _client.MediaPlaylistUrlAsync(master);
        await Task.WhenAny(asked, Task.Delay(TimeSpan.FromSeconds(1)));
        if (!asked.IsCompleted)
        {
            // Held, as it should be: the next fragment's start completes the first segment and releases it.
            await camera.SendFragmentAsync(FrameDelay);
        }

        var media = await asked;
        var first = (await PlaylistAsync(media)).Check();
        Assert.True(first.All.Any(s => s.Uri is not null), $"the first media playlist lists no complete segment:\n{first.Text}");
        Assert.Contains("#EXTINF:", first.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Blocking_reload_waits_for_the_part_and_refuses_what_it_cannot_wait_for()
    {
        var (camera, master) = await LiveAsync("ll-block");
        await using var _ = camera;
        var media = await _client.MediaPlaylistUrlAsync(master);
        await camera.SendFragmentAsync(TimeSpan.Zero, stopAfterFrames: 5); // a fragment in progress, then the camera pauses
        var playlist = await UntilAsync(media, 1, 2); // frames 0–3 make two parts; frame 4 waits for the next
        var last = playlist.LastMsn;
        Assert.Equal(1, last);
        Assert.Equal(2, playlist.InProgress!.Parts.Count);

        // _HLS_part without _HLS_msn, and a segment more than two after the newest: 400 at once.
        var alone = await _client.FetchAsync(new Uri(media + "&_HLS_part=1"));
        Assert.Equal(HttpStatusCode.BadRequest, alone.Status);
        Assert.Contains("_HLS_msn", alone.Text, StringComparison.Ordinal);
        Assert.Equal("InvalidArgumentException", alone.Response.Headers.GetValues("x-amzn-ErrorType").Single());
        var far = await _client.FetchAsync(new Uri(media + $"&_HLS_msn={last + 3}"));
        Assert.Equal(HttpStatusCode.BadRequest, far.Status);

        // The hinted part and a blocking reload for it are held while the camera pauses …
        var hint = playlist.PreloadHints[0];
        var (msn, index) = (LlParsedPlaylist.Query(hint, "MSN"), LlParsedPlaylist.Query(hint, "Part"));
        var reload = _client.FetchAsync(new Uri(media + $"&_HLS_msn={msn}&_HLS_part={index}"));
        var hinted = _client.FetchAsync(new Uri(media, hint));
        await Task.Delay(300);
        Assert.False(reload.IsCompleted, "the reload is held until the part exists");
        Assert.False(hinted.IsCompleted, "the hinted part is held until it is complete");

        // … and answered once the camera sends the frames that complete it: the part whole, with its length.
        await camera.SendFragmentAsync(TimeSpan.Zero);
        var after = LlParsedPlaylist.Parse((await reload).Ok(HlsTestKit.Playlist).Text).Check();
        playlist.CheckReload(after);
        var part = after.All.Single(s => s.Msn == msn).Parts[(int)index];
        var hintedAnswer = (await hinted).Ok(HlsTestKit.Mp4);
        Assert.Equal(hintedAnswer.Body.Length, hintedAnswer.Response.Content.Headers.ContentLength);
        Assert.Equal(await BytesAsync(media, part.Uri), hintedAnswer.Body);

        // A part that will never exist: beyond the parts of a complete segment.
        var complete = after.Segments[^1];
        var missing = await _client.FetchAsync(new Uri(media, LlPlaylistPartUri(complete, complete.Parts.Count)));
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal("ResourceNotFoundException", missing.Response.Headers.GetValues("x-amzn-ErrorType").Single());

        // Nothing comes for three target durations: 503.
        var edge = await UntilAsync(media, 2, 4);
        Assert.Equal(2, edge.LastMsn);
        var stalled = edge.LastMsn + 1;
        var timedOut = await _client.FetchAsync(new Uri(media + $"&_HLS_msn={stalled}&_HLS_part=0"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, timedOut.Status);
        Assert.Equal("ServiceUnavailable", timedOut.Response.Headers.GetValues("x-amzn-ErrorType").Single());
        (await camera.EndAsync()).NoErrors();
    }

    private static string LlPlaylistPartUri(LlParsedSegment segment, int part) =>
        segment.Uri!.Replace("getMP4MediaFragment.mp4", "getMP4MediaPart.mp4", StringComparison.Ordinal) + $"&Part={part}";

    [Fact]
    public async Task Delta_updates_skip_what_the_client_has_and_a_plain_player_reads_a_standard_playlist()
    {
        var (camera, master) = await LiveAsync("ll-skip");
        await using var _ = camera;
        var media = await _client.MediaPlaylistUrlAsync(master);
        for (var i = 0; i < 10; i++)
        {
            await camera.SendFragmentAsync(TimeSpan.Zero);
        }

        // The camera pauses (the last fragment stays in progress): full and delta playlists of the same moment.
        await UntilAsync(media, 10, 4);
        var full = (await PlaylistAsync(media)).Check();
        var delta = (await PlaylistAsync(media, "&_HLS_skip=YES")).Check();
        Assert.True(delta.Skipped > 0, full.Text);
        delta.CheckSkipOf(full);

        // Without LL support a player reads EXTINF segments with their map, and each plays.
        var plain = HlsParsedPlaylist.Parse(full.Text);
        Assert.Equal(full.Segments.Count, plain.Segments.Count);
        var init = await BytesAsync(media, plain.Segments[^1].Map!);
        Assert.Equal(10, (await LlProbe.KeyframesAsync(init, await BytesAsync(media, plain.Segments[^1].Uri))).Count);
        (await camera.EndAsync()).NoErrors();
    }

    [Fact]
    public async Task Retention_zero_streams_play_live_from_the_hub()
    {
        var (camera, master) = await LiveAsync("ll-volatile", retentionHours: 0, lowLatency: false);
        await using var _ = camera;
        await camera.SendFragmentAsync(TimeSpan.Zero);
        await camera.SendFragmentAsync(TimeSpan.Zero);
        var media = await _client.MediaPlaylistUrlAsync(master);
        var text = (await _client.FetchAsync(media)).Ok(HlsTestKit.Playlist).Text;
        var playlist = HlsParsedPlaylist.Parse(text);
        Assert.DoesNotContain("#EXT-X-PART", text, StringComparison.Ordinal);
        Assert.DoesNotContain("#EXT-X-PRELOAD-HINT", text, StringComparison.Ordinal);
        Assert.NotEmpty(playlist.Segments);
        var segment = playlist.Segments[^1];
        var init = await BytesAsync(media, segment.Map!);
        var frames = await LlProbe.KeyframesAsync(init, await BytesAsync(media, segment.Uri));
        Assert.Equal(10, frames.Count);
        Assert.True(frames[0]);

        // ON_DEMAND still has nothing to play on a stream that keeps nothing.
        var onDemand = await _client.KvsAsync("/getHLSStreamingSessionURL", new
        {
            StreamName = "ll-volatile",
            PlaybackMode = "ON_DEMAND",
            HLSFragmentSelector = new { FragmentSelectorType = "SERVER_TIMESTAMP", TimestampRange = new { StartTimestamp = 1, EndTimestamp = 2 } },
        });
        Assert.Equal("NoDataRetentionException", onDemand.ErrorType);
        (await camera.EndAsync()).NoErrors();
    }

    [Fact]
    public async Task Low_latency_is_for_live_only_and_its_resources_refuse_bad_tokens()
    {
        var (camera, master) = await LiveAsync("ll-tokens");
        await using var _ = camera;
        var replay = await _client.KvsAsync("/getHLSStreamingSessionURL", new
        {
            StreamName = "ll-tokens",
            PlaybackMode = "LIVE_REPLAY",
            LowLatency = true,
            HLSFragmentSelector = new { FragmentSelectorType = "SERVER_TIMESTAMP", TimestampRange = new { StartTimestamp = 1 } },
        });
        Assert.Equal("InvalidArgumentException", replay.ErrorType);
        Assert.Contains("LowLatency", replay.Message, StringComparison.Ordinal);

        var media = await _client.MediaPlaylistUrlAsync(master);
        var playlist = LlParsedPlaylist.Parse((await _client.FetchAsync(media)).Ok(HlsTestKit.Playlist).Text).Check();
        var part = new Uri(media, playlist.All.First(s => s.Parts.Count > 0).Parts[0].Uri);
        (await _client.FetchAsync(part)).Ok(HlsTestKit.Mp4);
        var token = System.Web.HttpUtility.ParseQueryString(part.Query)["SessionToken"]!;
        var altered = token[..5] + (token[5] == 'A' ? 'B' : 'A') + token[6..];
        var refused = await _client.FetchAsync(new Uri(part.ToString().Replace(token, altered, StringComparison.Ordinal)));
        Assert.True(refused.Status is HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest, $"{refused.Status}: {refused.Text}");
        var none = await _client.FetchAsync(new Uri(part.ToString().Replace("SessionToken=" + token, "SessionToken=", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.BadRequest, none.Status);
        (await camera.EndAsync()).NoErrors();
    }

    [Fact]
    public async Task A_takeover_starts_a_discontinuity_with_a_new_init_and_sequence_numbers_go_on()
    {
        var (first, master) = await LiveAsync("ll-takeover");
        await using var _ = first;
        var media = await _client.MediaPlaylistUrlAsync(master);
        await first.SendFragmentAsync(TimeSpan.Zero, stopAfterFrames: 5); // segment 0 completes, segment 1 in progress
        var before = await UntilAsync(media, 1, 2);

        // A second PutMedia for the stream takes over (the camera reconnected), one minute later on its clock.
        var secondStart = PutMediaClient.StartMs + 60_000;
        await using var second = await LlCamera.StartAsync(server.BaseUrl, "ll-takeover", secondStart);
        await second.SendFragmentAsync(TimeSpan.Zero);
        await second.SendFragmentAsync(TimeSpan.Zero);
        var after = await UntilAsync(media, 2, 5);
        before.CheckReload(after);

        // The parts segment 1 had published stay (a short segment); the new session starts a segment with a discontinuity.
        var cut = after.Segments.Single(s => s.Msn == 1);
        Assert.Equal(before.InProgress!.Parts, cut.Parts.Take(before.InProgress.Parts.Count));
        var resumed = after.All.Single(s => s.Msn == 2);
        Assert.True(resumed.Discontinuity, after.Text);
        Assert.NotEqual(cut.Map, resumed.Map);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(secondStart), resumed.ProgramDateTime);
        // Segment 0 is the camera's third one-second fragment (two were sent before the session: see LiveAsync).
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(PutMediaClient.StartMs + 2000), after.Segments.Single(s => s.Msn == 0).ProgramDateTime);
        var init = await BytesAsync(media, resumed.Map!);
        Assert.True((await LlProbe.KeyframesAsync(init, await BytesAsync(media, resumed.Parts[0].Uri)))[0]);
        (await second.EndAsync()).NoErrors();
    }

    [Fact]
    public async Task A_rejected_fragment_keeps_its_published_parts_and_the_next_segment_starts_a_discontinuity()
    {
        var (camera, master) = await LiveAsync("ll-rejected");
        await using var _ = camera;
        var media = await _client.MediaPlaylistUrlAsync(master);
        await camera.SendRejectedFragmentAsync(goodFrames: 5); // segment 0 completes; segment 1: two parts, then rejected
        await camera.SendFragmentAsync(TimeSpan.Zero);
        await camera.SendFragmentAsync(TimeSpan.Zero);
        var playlist = await UntilAsync(media, 3, 1);

        var rejected = playlist.Segments.Single(s => s.Msn == 1);
        Assert.Equal(2, rejected.Parts.Count); // frames 0–3; frame 4 was not published before the rejection, and is dropped
        Assert.Equal(0.4, rejected.Duration!.Value, 3);
        var next = playlist.All.Single(s => s.Msn == 2);
        Assert.True(next.Discontinuity, playlist.Text);
        Assert.False(playlist.Segments.Single(s => s.Msn == 0).Discontinuity);
        var answer = await camera.EndAsync();
        Assert.Contains(answer.ErrorIds, id => id > 0);
    }
}
