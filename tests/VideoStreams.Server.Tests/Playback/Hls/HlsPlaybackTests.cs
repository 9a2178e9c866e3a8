using System.Net;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Tests.Playback.Hls;

public sealed class HlsPlaybackTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const long ProducerStart = 1_700_000_000_000;

    private readonly HttpClient _client = server.CreateClient();

    private async Task<(string Name, IReadOnlyList<FragmentEntry> Entries)> SeededAsync(long serverStartMs)
    {
        var name = KvsHttp.UniqueName("hls");
        await _client.CreateStreamAsync(name, retentionHours: 24);
        return (name, await PlaybackSeed.SeedAsync(server, name, ProducerStart, serverStartMs));
    }

    private static object OnDemand(string name, long fromMs, long toMs, string clock = "PRODUCER_TIMESTAMP", string? discontinuity = null, string? display = null) => new
    {
        StreamName = name,
        PlaybackMode = "ON_DEMAND",
        HLSFragmentSelector = new { FragmentSelectorType = clock, TimestampRange = new { StartTimestamp = fromMs / 1000.0, EndTimestamp = toMs / 1000.0 } },
        DiscontinuityMode = discontinuity,
        DisplayFragmentTimestamp = display,
    };

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    [Fact]
    public async Task On_demand_session_lists_every_fragment_and_each_init_plus_segment_decodes_with_continuous_decode_times()
    {
        var (name, entries) = await SeededAsync(Now - 60_000);
        var master = await _client.SessionAsync(OnDemand(name, ProducerStart, ProducerStart + 60_000));

        var masterText = (await _client.FetchAsync(master)).Ok(HlsTestKit.Playlist).Text;
        Assert.Contains("CODECS=\"avc1.", masterText, StringComparison.Ordinal);
        Assert.Contains("RESOLUTION=160x120", masterText, StringComparison.Ordinal);
        var mediaUrl = await _client.MediaPlaylistUrlAsync(master);
        Assert.Contains("TrackNumber=1", mediaUrl.Query, StringComparison.Ordinal);
        var playlist = await _client.PlaylistAsync(mediaUrl);

        Assert.Equal("VOD", playlist.PlaylistType);
        Assert.True(playlist.EndList);
        Assert.True(playlist.IndependentSegments);
        Assert.Equal(0, playlist.MediaSequence);
        Assert.Equal(entries.Select(e => FragmentNumber.Format(e.Number)), playlist.Segments.Select(s => HlsParsedPlaylist.FragmentOf(s.Uri)));
        Assert.Equal(entries.Select(e => e.DurationMs / 1000.0), playlist.Segments.Select(s => s.Duration));
        // PRODUCER_TIMESTAMP defaults to NEVER; DisplayFragmentTimestamp defaults to NEVER.
        Assert.All(playlist.Segments, s => Assert.False(s.Discontinuity));
        Assert.All(playlist.Segments, s => Assert.Null(s.ProgramDateTime));

        var folder = Directory.CreateTempSubdirectory("vs-hls-");
        try
        {
            var init = (await _client.FetchAsync(new Uri(mediaUrl, playlist.Segments[0].Map!))).Ok(HlsTestKit.Mp4).Body;
            using var all = new MemoryStream();
            all.Write(init);
            for (var i = 0; i < playlist.Segments.Count; i++)
            {
                var segment = (await _client.FetchAsync(new Uri(mediaUrl, playlist.Segments[i].Uri))).Ok(HlsTestKit.Mp4).Body;
                var (sequence, decodeTime, duration) = HlsTestKit.ReadFragment(segment);
                // mfhd = media sequence number; tfdt = the fragment's producer time (90 kHz); samples fill its duration.
                Assert.Equal((uint)playlist.Segments[i].Sequence, sequence);
                Assert.Equal(entries[i].ProducerTimestampMs * 90, decodeTime);
                Assert.Equal(entries[i].DurationMs * 90L, duration);
                var single = Path.Combine(folder.FullName, $"single-{i}.mp4");
                await File.WriteAllBytesAsync(single, [.. init, .. segment]);
                var (exit, _, error) = HlsTestKit.Tool("ffprobe", $"-v error -show_streams {single}");
                Assert.True(exit == 0 && error.Length == 0, $"ffprobe refused init + segment {i}: {error}");
                all.Write(segment);
            }

            var whole = Path.Combine(folder.FullName, "all.mp4");
            await File.WriteAllBytesAsync(whole, all.ToArray());
            Assert.Equal(PlaybackSeed.SourceClusters * 10, HlsTestKit.DecodeFrames(whole));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Live_session_follows_appended_fragments_with_stable_sequence_numbers_and_survives_a_pause()
    {
        var start = Now - 5_000;
        var (name, entries) = await SeededAsync(start);
        var master = await _client.SessionAsync(new { StreamName = name, MaxMediaPlaylistFragmentResults = 3 });
        var mediaUrl = await _client.MediaPlaylistUrlAsync(master);

        var first = await _client.PlaylistAsync(mediaUrl);
        Assert.Null(first.PlaylistType);
        Assert.False(first.EndList);
        Assert.Equal(entries.TakeLast(3).Select(e => FragmentNumber.Format(e.Number)), first.Segments.Select(s => HlsParsedPlaylist.FragmentOf(s.Uri)));
        // SERVER_TIMESTAMP defaults to ALWAYS: a discontinuity before every fragment, as KVS does.
        Assert.All(first.Segments, s => Assert.True(s.Discontinuity));
        var response = await _client.FetchAsync(mediaUrl);
        Assert.True(response.Response.Headers.CacheControl!.NoCache);

        var previous = first;
        for (var round = 1; round <= 2; round++)
        {
            var more = await PlaybackSeed.SeedAsync(server, name, ProducerStart + (round * 4000L), start + (round * 4000L));
            var next = await _client.PlaylistAsync(mediaUrl);
            previous.CheckReload(next);
            Assert.Equal(more.TakeLast(3).Select(e => FragmentNumber.Format(e.Number)), next.Segments.Select(s => HlsParsedPlaylist.FragmentOf(s.Uri)));
            Assert.True(next.MediaSequence > previous.MediaSequence);
            previous = next;
        }

        // The producer pauses: the playlist keeps its last window (no 404 mid-session), and its segments still play.
        var paused = await _client.PlaylistAsync(mediaUrl);
        previous.CheckReload(paused);
        Assert.Equal(previous.Segments.Select(s => s.Uri), paused.Segments.Select(s => s.Uri));
        var segment = (await _client.FetchAsync(new Uri(mediaUrl, paused.Segments[^1].Uri))).Ok(HlsTestKit.Mp4);
        Assert.True(segment.Body.Length > 0);
        var head = await _client.FetchAsync(new Uri(mediaUrl, paused.Segments[^1].Uri), HttpMethod.Head);
        Assert.Equal(HttpStatusCode.OK, head.Status);
        Assert.Equal(segment.Body.Length, head.Response.Content.Headers.ContentLength);
        Assert.Empty(head.Body);
    }
}
