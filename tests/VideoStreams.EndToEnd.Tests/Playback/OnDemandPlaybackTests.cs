using VideoStreams.EndToEnd.Tests.Support;
using VideoStreams.Server.Tests;
using Xunit.Abstractions;

namespace VideoStreams.EndToEnd.Tests.Playback;

/// <summary>
/// Issue 8's acceptance, ON_DEMAND: a recorded hour (real H.264, 4 s fragments) plays in real Chromium with hls.js
/// from a page on another origin, and seeking into the middle lands on the fragment of the program date time asked.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class OnDemandPlaybackTests(ServerFixture server, BrowserFixture browser, ITestOutputHelper output) : IClassFixture<ServerFixture>
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    [Fact]
    public async Task A_page_on_another_origin_plays_a_recorded_hour_and_seeks_into_its_middle()
    {
        using var client = server.CreateClient();
        var stream = KvsHttp.UniqueName("hour");
        await KvsHttp.CreateStreamAsync(client, stream, retentionHours: 24);
        // Recorded yesterday-ish, on whole seconds: every timestamp is in the past (SERVER_TIMESTAMP ranges must be).
        var start = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000) - (3 * 3_600_000L);
        var count = await RecordedHour.SeedAsync(server, stream, start, Hour);

        var url = await client.HlsUrlAsync(new
        {
            StreamName = stream,
            PlaybackMode = "ON_DEMAND",
            HLSFragmentSelector = new
            {
                FragmentSelectorType = "PRODUCER_TIMESTAMP",
                TimestampRange = new { StartTimestamp = Sessions.Seconds(start), EndTimestamp = Sessions.Seconds(start + (long)Hour.TotalMilliseconds - 1) },
            },
            DisplayFragmentTimestamp = "ALWAYS",
            MaxMediaPlaylistFragmentResults = 5000,
            Expires = 900,
        });
        output.WriteLine($"session URL {url}");

        await using var page = await ViewerPage.OpenAsync(browser, output);
        await page.PlayAsync(url);
        var playing = await page.WaitForAsync("the recorded hour to show a picture and play",
            s => s.VideoWidth > 0 && s.CurrentTime > 0 && !s.Paused, TimeSpan.FromSeconds(90));
        Assert.Equal(160, playing.VideoWidth);
        Assert.False(playing.PlaylistLive, "an ON_DEMAND playlist is complete (EXT-X-ENDLIST)");
        Assert.Equal(count, playing.PlaylistFragments);
        Assert.Equal(start, playing.FirstProgramDateTime);
        await page.WaitForAsync("playback to advance 2 s", s => s.CurrentTime >= playing.CurrentTime + 2, TimeSpan.FromSeconds(60));

        // Seek to a program date time in the middle of the hour (not on a fragment boundary).
        var target = start + (Hour.Ticks / TimeSpan.TicksPerMillisecond / 2) + 1_500;
        var position = await page.Page.EvaluateAsync<double?>("t => window.seekToDate(t)", target);
        Assert.True(position is not null, $"no fragment of the playlist holds {ViewerSnapshot.Date(target)}");
        var shownBefore = (await page.SnapshotAsync()).Fragments.Count;
        var landed = await page.WaitForAsync($"the seek to {position:0.0} s ({ViewerSnapshot.Date(target)}) to finish and play on",
            s => s.Seeks.Count > 0 && s.CurrentTime >= position + 1 && s.Fragments.Count > shownBefore && !s.Paused, TimeSpan.FromSeconds(90));

        // hls.js shows the fragment holding the target, and its clock (PDT + position in the fragment) reads the target.
        var shown = landed.Fragments[^1];
        Assert.NotNull(shown.ProgramDateTime);
        Assert.True(Math.Abs(shown.ProgramDateTime.Value - target) <= RecordedHour.FragmentMs,
            $"after the seek hls.js shows the fragment of {ViewerSnapshot.Date(shown.ProgramDateTime)}, more than one fragment from {ViewerSnapshot.Date(target)}: {landed}");
        Assert.NotNull(landed.PlayingDate);
        var expected = target + ((landed.CurrentTime - position!.Value) * 1000);
        Assert.True(Math.Abs(landed.PlayingDate.Value - expected) <= RecordedHour.FragmentMs,
            $"after the seek the playing date is {ViewerSnapshot.Date(landed.PlayingDate)}, expected {ViewerSnapshot.Date(expected)} within one fragment: {landed}");
    }
}
