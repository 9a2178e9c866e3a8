using System.Net;

namespace VideoStreams.Server.Tests.Playback.Clips;

public sealed class CodecChangeClipTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const long ProducerStart = 1_720_000_000_000;

    private readonly HttpClient _client = server.CreateClient();

    [Fact]
    public async Task A_resolution_change_between_sessions_gives_one_clip_that_decodes_at_both_sizes()
    {
        var name = KvsHttp.UniqueName("clipsize");
        await _client.CreateStreamAsync(name, retentionHours: 24);
        // Two PutMedia sessions back to back: 2 s at 160x120, then 2 s at 320x240 (new SPS/PPS in the CodecPrivate).
        var (_, small) = await ClipSeed.EncodeAndAppendAsync(server, name, ProducerStart,
            "-f lavfi -i testsrc2=size=160x120:rate=10 -t 2 -c:v libx264 -g 10 -keyint_min 10 -sc_threshold 0");
        var (_, large) = await ClipSeed.EncodeAndAppendAsync(server, name, ProducerStart + 2000,
            "-f lavfi -i testsrc2=size=320x240:rate=10 -t 2 -c:v libx264 -g 10 -keyint_min 10 -sc_threshold 0");

        using var response = await _client.GetAsync($"v1/streams/{name}/clip?start={ProducerStart}&end={ProducerStart + 10_000}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var mp4 = await response.Content.ReadAsByteArrayAsync();
        var clip = ClipKit.Judge(mp4);
        Assert.Equal(small + large, clip.Video.Count);

        var path = Path.Combine(Path.GetTempPath(), $"vs-clipsize-{Guid.NewGuid():N}.mp4");
        try
        {
            await File.WriteAllBytesAsync(path, mp4);
            var sizes = PlaybackSeed.Run("ffprobe", $"-v error -select_streams v:0 -show_entries frame=width,height -of csv=p=0 {path}")
                .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(line => line.TrimEnd(',')) // a frame with side data gets an empty extra column
                .ToList();
            // Every frame decodes, at its own size: all before the change 160x120, all after it 320x240.
            Assert.Equal([.. Enumerable.Repeat("160,120", small), .. Enumerable.Repeat("320,240", large)], sizes);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
