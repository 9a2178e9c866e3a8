using System.Net;

namespace VideoStreams.Server.Tests.Playback.Clips;

/// <summary>Clips of a stream with H.264 video and AAC audio (ffmpeg's test pattern and a sine tone, 1 s fragments).</summary>
public sealed class AudioClipTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const long ProducerStart = 1_710_000_000_000;

    private readonly HttpClient _client = server.CreateClient();

    [Fact]
    public async Task A_clip_of_a_stream_with_audio_carries_an_aac_track_with_every_audio_frame_of_its_fragments()
    {
        var name = KvsHttp.UniqueName("clipav");
        await _client.CreateStreamAsync(name, retentionHours: 24);
        var (audioFrames, videoFrames) = await ClipSeed.EncodeAndAppendAsync(server, name, ProducerStart,
            "-f lavfi -i testsrc2=size=160x120:rate=10 -f lavfi -i sine=frequency=440:sample_rate=48000 -t 3 -c:v libx264 -g 10 -keyint_min 10 -sc_threshold 0 -c:a aac -b:a 64k");

        using var response = await _client.GetAsync($"v1/streams/{name}/clip?start={ProducerStart}&end={ProducerStart + 60_000}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var clip = ClipKit.Judge(await response.Content.ReadAsByteArrayAsync());

        Assert.Equal(["h264", "aac"], clip.Streams);
        Assert.Equal(videoFrames, clip.Video.Count);
        Assert.Equal(audioFrames, clip.AudioPackets);
    }
}
