using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using VideoStreams.Media.Matroska;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Tests.Playback.Clips;

/// <summary>What ffprobe sees in a clip: its streams and video packets.</summary>
internal sealed record ProbedClip(IReadOnlyList<string> Streams, IReadOnlyList<(double Pts, double Dts, int Size, bool Key)> Video, int AudioPackets)
{
    public double FirstPts => Video.Min(p => p.Pts);

    public double LastPts => Video.Max(p => p.Pts);
}

/// <summary>Judging clips with the real tools, and what the store holds for comparison.</summary>
internal static class ClipKit
{
    /// <summary>Writes the bytes to a temporary .mp4, lets ffprobe and ffmpeg judge it, and returns ffprobe's view.</summary>
    public static ProbedClip Judge(byte[] mp4)
    {
        Assert.Equal(["ftyp", "moov", "mdat"], TopLevelBoxes(mp4));
        var path = Path.Combine(Path.GetTempPath(), $"vs-clip-{Guid.NewGuid():N}.mp4");
        try
        {
            File.WriteAllBytes(path, mp4);
            // Run fails the test on a non-zero exit; -v error prints only problems, so stderr must stay empty too.
            PlaybackSeed.Run("ffmpeg", $"-nostdin -v error -xerror -i {path} -f null -");
            var json = PlaybackSeed.Run("ffprobe", $"-v error -print_format json -show_streams -show_packets {path}");
            using var doc = JsonDocument.Parse(json);
            var streams = doc.RootElement.GetProperty("streams").EnumerateArray().Select(s => s.GetProperty("codec_name").GetString()!).ToList();
            var video = new List<(double, double, int, bool)>();
            var audio = 0;
            foreach (var p in doc.RootElement.GetProperty("packets").EnumerateArray())
            {
                if (p.GetProperty("codec_type").GetString() == "audio")
                {
                    audio++;
                    continue;
                }

                video.Add((Seconds(p, "pts_time"), Seconds(p, "dts_time"), int.Parse(p.GetProperty("size").GetString()!, CultureInfo.InvariantCulture),
                    p.GetProperty("flags").GetString()!.Contains('K', StringComparison.Ordinal)));
            }

            return new ProbedClip(streams, video, audio);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The types of the file's top-level boxes, in order.</summary>
    public static List<string> TopLevelBoxes(ReadOnlySpan<byte> file)
    {
        var boxes = new List<string>();
        long at = 0;
        while (at + 8 <= file.Length)
        {
            long size = BinaryPrimitives.ReadUInt32BigEndian(file[(int)at..]);
            boxes.Add(System.Text.Encoding.ASCII.GetString(file.Slice((int)at + 4, 4)));
            if (size == 1)
            {
                size = (long)BinaryPrimitives.ReadUInt64BigEndian(file[((int)at + 8)..]);
            }

            Assert.True(size >= 8, $"box {boxes[^1]} at {at} has size {size}");
            at += size;
        }

        Assert.Equal(file.Length, at);
        return boxes;
    }

    /// <summary>Size of ftyp + moov + the mdat header: the clip's header bytes.</summary>
    public static int HeaderLength(ReadOnlySpan<byte> file)
    {
        var ftyp = (int)BinaryPrimitives.ReadUInt32BigEndian(file);
        var moov = (int)BinaryPrimitives.ReadUInt32BigEndian(file[ftyp..]);
        return ftyp + moov + (BinaryPrimitives.ReadUInt32BigEndian(file[(ftyp + moov)..]) == 1 ? 16 : 8);
    }

    /// <summary>The video frame sizes of stored fragments, in order, read straight from the store.</summary>
    public static List<int> StoredVideoFrameSizes(ServerFixture server, IEnumerable<FragmentEntry> entries)
    {
        var store = server.Services.GetRequiredService<FragmentStore>();
        var sizes = new List<int>();
        foreach (var entry in entries)
        {
            var fragment = store.Read(entry).Value!;
            var header = Convert.FromBase64String(fragment.Tags.Single(t => t.Key == VideoStreams.Server.Playback.SessionHeader.TagName).Value);
            var reader = new MatroskaReader();
            reader.ReadAll(new ReadOnlyMemory<byte>([.. header, .. fragment.Media]), (MatroskaReader r, in MatroskaEvent e) =>
            {
                if (e.Kind == MatroskaEventKind.Frame && e.Frame.TrackNumber == 1)
                {
                    sizes.Add((int)e.Frame.Data.Length);
                }
            });
        }

        return sizes;
    }

    private static double Seconds(JsonElement packet, string name) =>
        double.Parse(packet.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);
}
