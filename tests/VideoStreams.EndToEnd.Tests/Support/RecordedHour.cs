using System.Buffers;
using Microsoft.Extensions.DependencyInjection;
using VideoStreams.Media.Matroska;
using VideoStreams.Server.Playback;
using VideoStreams.Server.Tests;
using VideoStreams.Server.Tests.Ingest;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.EndToEnd.Tests.Support;

/// <summary>
/// A recorded hour, synthesised: the test video's real H.264 groups of pictures (160x120, 10 fps, a keyframe a
/// second) repeated with advancing timestamps, <see cref="FragmentMs"/> per fragment, appended straight into the
/// server's store as ingest stores it (the producer's cluster bytes, the session header in its fragment tag). PutMedia
/// would take the same bytes, but KVS's 5-fragments/s limit would make an hour take minutes.
/// </summary>
internal static class RecordedHour
{
    /// <summary>Each fragment holds four one-second groups of pictures.</summary>
    public const int FragmentMs = 4000;

    private const int GopsPerFragment = FragmentMs / 1000;

    /// <summary>
    /// Appends <paramref name="duration"/> of fragments starting at <paramref name="startMs"/> (producer and server
    /// time alike) to the stream (retention must be &gt; 0) and waits until all are PERSISTED.
    /// </summary>
    /// <returns>How many fragments were appended.</returns>
    public static async Task<int> SeedAsync(ServerFixture server, string streamName, long startMs, TimeSpan duration)
    {
        var store = server.Services.GetRequiredService<FragmentStore>();
        var stream = store.Streams.Describe(new Storage.Streams.StreamRef(streamName, null)).Value!;
        var info = new MatroskaSegmentInfo { TimestampScale = 1_000_000 };
        MatroskaTrack[] tracks = [TestVideo.Track];
        var header = SessionHeader.Encode(info, tracks);
        var count = (int)(duration.TotalMilliseconds / FragmentMs);
        var pending = new List<Task<StorageResult<FragmentEntry>>>();
        for (var i = 0; i < count; i++)
        {
            var timestamp = startMs + (i * (long)FragmentMs);
            var appended = store.Append(stream.Id, new NewFragment(
                timestamp, timestamp, FragmentMs, FragmentFlags.StartsWithKeyframe | FragmentFlags.HasVideo,
                Cluster(info, tracks, timestamp, i * GopsPerFragment), [new(SessionHeader.TagName, header)]));
            Assert.True(appended.IsSuccess, appended.Message);
            pending.Add(appended.Value!.Persisted);
            if (pending.Count == 64 || i == count - 1)
            {
                // A bounded number in flight: the store's commit batches them, and the test never queues an hour.
                foreach (var persisted in await Task.WhenAll(pending))
                {
                    Assert.True(persisted.IsSuccess, persisted.Message);
                }

                pending.Clear();
            }
        }

        return count;
    }

    /// <summary>
    /// One cluster as a producer in ABSOLUTE mode sends it: its timestamp is the fragment's own time (so a reader that
    /// takes times from the cluster and one that takes them from the index agree).
    /// </summary>
    private static byte[] Cluster(MatroskaSegmentInfo info, IReadOnlyList<MatroskaTrack> tracks, long timestamp, int firstGop)
    {
        var output = new ArrayBufferWriter<byte>();
        using var writer = new MatroskaWriter(output);
        writer.WriteHeader(info, tracks);
        var headerLength = output.WrittenCount;
        var frames = new List<MatroskaFrame>();
        for (var g = 0; g < GopsPerFragment; g++)
        {
            var gop = TestVideo.Gops[(firstGop + g) % TestVideo.Gops.Count];
            frames.AddRange(gop.Select(f => new MatroskaFrame(1, timestamp + (g * 1000L) + f.OffsetMs, f.IsKeyframe, f.Data)));
        }

        writer.WriteCluster(timestamp, frames.ToArray());
        return output.WrittenSpan[headerLength..].ToArray();
    }
}
