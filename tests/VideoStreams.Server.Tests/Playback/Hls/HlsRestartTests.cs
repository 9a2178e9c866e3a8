using VideoStreams.Server.Playback.Hls;

namespace VideoStreams.Server.Tests.Playback.Hls;

public sealed class HlsRestartTests
{
    [Fact]
    public async Task A_session_url_keeps_working_after_a_restart_because_the_secret_is_kept()
    {
        var server = new ServerFixture();
        await server.InitializeAsync();
        try
        {
            using (var client = server.CreateClient())
            {
                var name = KvsHttp.UniqueName("hlsrestart");
                await client.CreateStreamAsync(name, retentionHours: 24);
                await PlaybackSeed.SeedAsync(server, name, 1_700_000_000_000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000);
                var master = await client.SessionAsync(new
                {
                    StreamName = name,
                    PlaybackMode = "ON_DEMAND",
                    HLSFragmentSelector = new { FragmentSelectorType = "PRODUCER_TIMESTAMP", TimestampRange = new { StartTimestamp = 1_700_000_000.0, EndTimestamp = 1_700_000_060.0 } },
                });
                var before = (await client.FetchAsync(master)).Ok(HlsTestKit.Playlist).Text;

                await server.RestartAsync();

                using var again = server.CreateClient();
                var after = await again.FetchAsync(new Uri(server.BaseUrl, master.PathAndQuery));
                Assert.Equal(before, after.Ok(HlsTestKit.Playlist).Text);
            }
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public void A_cluster_timestamp_is_found_after_a_crc_and_a_void_element()
    {
        // Cluster (unknown size), CRC-32 (4 bytes), Void (2 bytes), Timestamp 0x0123456789 (5 bytes), then a SimpleBlock.
        byte[] cluster =
        [
            0x1F, 0x43, 0xB6, 0x75, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            0xBF, 0x84, 1, 2, 3, 4,
            0xEC, 0x82, 0, 0,
            0xE7, 0x85, 0x01, 0x23, 0x45, 0x67, 0x89,
            0xA3, 0x81, 0x00,
        ];

        Assert.True(ClusterTimestamp.TryRead(cluster, out var ticks));
        Assert.Equal(0x0123456789L, ticks);
        Assert.False(ClusterTimestamp.TryRead(cluster.AsSpan(0, 24), out _));
        Assert.False(ClusterTimestamp.TryRead([0x1A, 0x45, 0xDF, 0xA3, 0x80], out _));
    }
}
