using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Tests.Playback.Hls;

public sealed class HlsDiscontinuityTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const long ProducerStart = 1_700_000_000_000;

    private readonly HttpClient _client = server.CreateClient();

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private async Task<string> StreamAsync()
    {
        var name = KvsHttp.UniqueName("hlsdisc");
        await _client.CreateStreamAsync(name, retentionHours: 24);
        return name;
    }

    private async Task<(Uri Media, HlsParsedPlaylist Playlist)> OnDemandAsync(string name, string? discontinuity, string? display = null)
    {
        var master = await _client.SessionAsync(new
        {
            StreamName = name,
            PlaybackMode = "ON_DEMAND",
            HLSFragmentSelector = new { FragmentSelectorType = "PRODUCER_TIMESTAMP", TimestampRange = new { StartTimestamp = ProducerStart / 1000.0, EndTimestamp = (ProducerStart / 1000.0) + 3600 } },
            DiscontinuityMode = discontinuity,
            DisplayFragmentTimestamp = display,
        });
        var media = await _client.MediaPlaylistUrlAsync(master);
        return (media, await _client.PlaylistAsync(media));
    }

    [Fact]
    public async Task A_gap_over_50_ms_is_a_discontinuity_with_on_discontinuity_every_fragment_with_always_none_with_never()
    {
        var name = await StreamAsync();
        var first = await PlaybackSeed.SeedAsync(server, name, ProducerStart, Now - 60_000);
        // Six seconds of nothing on the producer clock.
        var second = await PlaybackSeed.SeedAsync(server, name, ProducerStart + 10_000, Now - 30_000);

        var (_, onGap) = await OnDemandAsync(name, "ON_DISCONTINUITY");
        var (_, always) = await OnDemandAsync(name, "ALWAYS");
        var (_, never) = await OnDemandAsync(name, "NEVER");

        Assert.Equal(first.Count + second.Count, onGap.Segments.Count);
        Assert.Equal(onGap.Segments.Select((_, i) => i == first.Count), onGap.Segments.Select(s => s.Discontinuity));
        Assert.All(always.Segments, s => Assert.True(s.Discontinuity));
        Assert.All(never.Segments, s => Assert.False(s.Discontinuity));
        // One codec configuration: one EXT-X-MAP throughout.
        Assert.Single(onGap.Segments.Select(s => s.Map).Distinct());
    }

    [Fact]
    public async Task Program_date_time_is_the_selected_timestamp_when_asked_and_absent_otherwise()
    {
        var name = await StreamAsync();
        var entries = await PlaybackSeed.SeedAsync(server, name, ProducerStart, Now - 60_000);

        var (_, shown) = await OnDemandAsync(name, null, "ALWAYS");
        var (_, hidden) = await OnDemandAsync(name, null, "NEVER");

        Assert.Equal(entries.Select(e => (DateTimeOffset?)DateTimeOffset.FromUnixTimeMilliseconds(e.ProducerTimestampMs)), shown.Segments.Select(s => s.ProgramDateTime));
        Assert.All(hidden.Segments, s => Assert.Null(s.ProgramDateTime));
    }

    [Fact]
    public async Task A_codec_change_starts_a_discontinuity_with_a_new_init_and_each_init_decodes_its_segments()
    {
        var name = await StreamAsync();
        var first = await PlaybackSeed.SeedAsync(server, name, ProducerStart, Now - 60_000);
        // Right after, without a gap: the same picture size but another encoder configuration (other SPS/PPS).
        var second = await HlsTestKit.AppendOtherCodecAsync(server, name, ProducerStart + (first.Count * 1000L), Now - 30_000, 3);

        var (media, playlist) = await OnDemandAsync(name, "ON_DISCONTINUITY");
        var (_, never) = await OnDemandAsync(name, "NEVER");

        Assert.Equal(playlist.Segments.Select((_, i) => i == first.Count), playlist.Segments.Select(s => s.Discontinuity));
        var maps = playlist.Segments.Select(s => s.Map!).ToList();
        Assert.Single(maps.Take(first.Count).Distinct());
        Assert.Single(maps.Skip(first.Count).Distinct());
        Assert.NotEqual(maps[0], maps[first.Count]);
        // NEVER writes no discontinuity, but the new configuration still gets its EXT-X-MAP.
        Assert.All(never.Segments, s => Assert.False(s.Discontinuity));
        Assert.Equal(2, never.Segments.Select(s => s.Map).Distinct().Count());

        var folder = Directory.CreateTempSubdirectory("vs-hls-codec-");
        try
        {
            foreach (var (from, count) in new[] { (0, first.Count), (first.Count, second.Count) })
            {
                using var file = new MemoryStream();
                file.Write((await _client.FetchAsync(new Uri(media, maps[from]))).Ok(HlsTestKit.Mp4).Body);
                for (var i = from; i < from + count; i++)
                {
                    file.Write((await _client.FetchAsync(new Uri(media, playlist.Segments[i].Uri))).Ok(HlsTestKit.Mp4).Body);
                }

                var path = Path.Combine(folder.FullName, $"run-{from}.mp4");
                await File.WriteAllBytesAsync(path, file.ToArray());
                Assert.Equal(count * 10, HlsTestKit.DecodeFrames(path));
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }

        Assert.Equal(FragmentNumber.Format(second[0].Number), HlsParsedPlaylist.FragmentOf(playlist.Segments[first.Count].Uri));
    }

    [Fact]
    public async Task Live_replay_releases_fragments_as_time_passes_then_ends()
    {
        var name = await StreamAsync();
        var entries = await PlaybackSeed.SeedAsync(server, name, ProducerStart, Now - 60_000);
        var master = await _client.SessionAsync(new
        {
            StreamName = name,
            PlaybackMode = "LIVE_REPLAY",
            HLSFragmentSelector = new { FragmentSelectorType = "PRODUCER_TIMESTAMP", TimestampRange = new { StartTimestamp = ProducerStart / 1000.0, EndTimestamp = (entries[^1].ProducerTimestampMs + 1) / 1000.0 } },
            MaxMediaPlaylistFragmentResults = 10,
        });
        var media = await _client.MediaPlaylistUrlAsync(master);

        var previous = await _client.PlaylistAsync(media);
        Assert.NotEmpty(previous.Segments);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!previous.EndList)
        {
            Assert.True(DateTime.UtcNow < deadline, "the replay never ended");
            Assert.Null(previous.PlaylistType);
            Assert.True(previous.Segments.Count < entries.Count);
            await Task.Delay(300);
            var next = await _client.PlaylistAsync(media);
            previous.CheckReload(next);
            previous = next;
        }

        // Every fragment, from the range start, numbered from 0.
        Assert.Equal(0, previous.MediaSequence);
        Assert.Equal(entries.Select(e => FragmentNumber.Format(e.Number)), previous.Segments.Select(s => HlsParsedPlaylist.FragmentOf(s.Uri)));
    }
}
