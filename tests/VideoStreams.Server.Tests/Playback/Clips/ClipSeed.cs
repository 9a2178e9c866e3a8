using Microsoft.Extensions.DependencyInjection;
using VideoStreams.Media.Matroska;
using VideoStreams.Server.Playback;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Tests.Playback.Clips;

/// <summary>Fragments of any ffmpeg encode (audio, another resolution), appended to a stream as ingest stores them.</summary>
internal static class ClipSeed
{
    /// <summary>
    /// Encodes with ffmpeg (<paramref name="encode"/>: inputs and codec options) into MKV with 1 s clusters and appends each
    /// cluster as a fragment at <paramref name="producerStartMs"/> + its timecode; returns the frame counts stored.
    /// </summary>
    public static async Task<(int Audio, int Video)> EncodeAndAppendAsync(ServerFixture server, string name, long producerStartMs, string encode)
    {
        var path = Path.Combine(Path.GetTempPath(), $"vs-clipav-{Guid.NewGuid():N}.mkv");
        try
        {
            PlaybackSeed.Run("ffmpeg", $"-nostdin -v error {encode} -f matroska -cluster_time_limit 1000 -y {path}");
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
                var appended = store.Append(stream.Id, new NewFragment(producerStartMs + ms, producerStartMs + ms, 1000,
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
