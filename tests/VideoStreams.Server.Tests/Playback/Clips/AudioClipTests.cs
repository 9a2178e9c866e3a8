using System.Net;
using Microsoft.Extensions.DependencyInjection;
using VideoStreams.Media.Matroska;
using VideoStreams.Server.Playback;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;

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
        var (audioFrames, videoFrames) = await SeedAsync(name);

        using var response = await _client.GetAsync($"v1/streams/{name}/clip?start={ProducerStart}&end={ProducerStart + 60_000}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var clip = ClipKit.Judge(await response.Content.ReadAsByteArrayAsync());

        Assert.Equal(["h264", "aac"], clip.Streams);
        Assert.Equal(videoFrames, clip.Video.Count);
        Assert.Equal(audioFrames, clip.AudioPackets);
    }

    /// <summary>Encodes 3 s of video and audio and appends each cluster as a fragment; returns the frame counts stored.</summary>
    private async Task<(int Audio, int Video)> SeedAsync(string name)
    {
        var path = Path.Combine(Path.GetTempPath(), $"vs-clipav-{Guid.NewGuid():N}.mkv");
        try
        {
            PlaybackSeed.Run("ffmpeg", "-nostdin -v error -f lavfi -i testsrc2=size=160x120:rate=10 -f lavfi -i sine=frequency=440:sample_rate=48000 -t 3 "
                + $"-c:v libx264 -g 10 -keyint_min 10 -sc_threshold 0 -c:a aac -b:a 64k -f matroska -cluster_time_limit 1000 -y {path}");
            var bytes = await File.ReadAllBytesAsync(path);
            var store = server.Services.GetRequiredService<FragmentStore>();
            var stream = store.Streams.Describe(new Storage.Streams.StreamRef(name, null)).Value!;
            string? header = null;
            var clusters = new List<(int Start, int End, long Timecode)>();
            int audio = 0, video = 0, start = 0;
            long timecode = 0;
            new MatroskaReader().ReadAll(bytes, (MatroskaReader r, in MatroskaEvent e) =>
            {
                if (e.Kind == MatroskaEventKind.Tracks)
                {
                    header = SessionHeader.Encode(r.Info, r.Tracks);
                }
                else if (e.Kind == MatroskaEventKind.ClusterStart)
                {
                    (start, timecode) = ((int)r.ClusterOffset, r.ClusterTimestamp);
                }
                else if (e.Kind == MatroskaEventKind.ClusterEnd)
                {
                    clusters.Add((start, (int)e.Offset, timecode));
                }
                else if (e.Kind == MatroskaEventKind.Frame)
                {
                    var number = e.Frame.TrackNumber;
                    _ = r.Tracks.First(t => t.Number == number).Type == MatroskaTrackType.Audio ? audio++ : video++;
                }
            });

            foreach (var (from, to, ms) in clusters)
            {
                var appended = store.Append(stream.Id, new NewFragment(ProducerStart + ms, ProducerStart + ms, 1000,
                    FragmentFlags.StartsWithKeyframe | FragmentFlags.HasVideo | FragmentFlags.HasAudio, bytes.AsMemory(from, to - from),
                    [new(SessionHeader.TagName, header!)]));
                Assert.True((await appended.Value!.Persisted).IsSuccess);
            }

            return (audio, video);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
