using System.Buffers;
using System.Globalization;
using System.Text;
using VideoStreams.Media.Mp4;

namespace VideoStreams.Media.Tests.Mp4;

internal sealed record MediaSegment(byte[] Bytes, double Start, double Duration);

/// <summary>Drives our writers over a <see cref="SourceMp4"/> the way the remuxer will.</summary>
internal static class Mp4Outputs
{
    public static byte[] WriteProgressive(SourceMp4 source, Mp4FileLayout layout)
    {
        using var stream = new MemoryStream();
        layout.WriteTo(stream, (t, s, destination) => destination.Write(source.Data(t, s).Span));
        return stream.ToArray();
    }

    public static byte[] WriteInit(SourceMp4 source)
    {
        var buffer = new ArrayBufferWriter<byte>();
        CmafWriter.WriteInitSegment(buffer, source.Tracks);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Media segments of about <paramref name="segmentSeconds"/>, each starting at a video sync sample; every other
    /// track's samples go to the segment their decode time falls in.
    /// </summary>
    public static List<MediaSegment> WriteSegments(SourceMp4 source, double segmentSeconds = 2)
    {
        var video = source.Tracks.FindIndex(t => t.Kind == Mp4TrackKind.Video);
        double Time(int track, int sample) =>
            (source.DelayTicks[track] + source.Samples[track][sample].DecodeTime) / (double)source.Tracks[track].Timescale;

        var cuts = new List<double> { 0 };
        for (var i = 1; i < source.Samples[video].Length; i++)
        {
            if (source.Samples[video][i].IsSync && Time(video, i) >= cuts[^1] + segmentSeconds - 0.001)
            {
                cuts.Add(Time(video, i));
            }
        }

        var end = Enumerable.Range(0, source.Tracks.Count)
            .Max(t => Time(t, source.Samples[t].Length - 1) + (source.Samples[t][^1].Duration / (double)source.Tracks[t].Timescale));
        var next = new int[source.Tracks.Count];
        var segments = new List<MediaSegment>();
        for (var k = 0; k < cuts.Count; k++)
        {
            var limit = k + 1 < cuts.Count ? cuts[k + 1] : double.MaxValue;
            var fragments = new TrackFragment[source.Tracks.Count];
            var payload = new List<ReadOnlyMemory<byte>>();
            for (var t = 0; t < source.Tracks.Count; t++)
            {
                var first = next[t];
                while (next[t] < source.Samples[t].Length && Time(t, next[t]) < limit - 1e-9)
                {
                    payload.Add(source.Data(t, next[t]));
                    next[t]++;
                }

                var samples = source.Samples[t].AsMemory(first, next[t] - first);
                var baseTime = source.DelayTicks[t] + (first < source.Samples[t].Length ? source.Samples[t][first].DecodeTime : 0);
                fragments[t] = new TrackFragment(source.Tracks[t].TrackId, baseTime, samples);
            }

            var buffer = new ArrayBufferWriter<byte>();
            var payloadSize = CmafWriter.WriteFragmentHeader(buffer, (uint)k + 1, fragments);
            Assert.Equal(payload.Sum(p => p.Length), payloadSize);
            foreach (var p in payload)
            {
                buffer.Write(p.Span);
            }

            segments.Add(new MediaSegment(buffer.WrittenSpan.ToArray(), cuts[k], Math.Min(limit, end) - cuts[k]));
        }

        return segments;
    }

    /// <summary>Writes init.mp4, seg-N.m4s and a VOD playlist to <paramref name="folder"/>; returns the playlist path.</summary>
    public static string WriteHls(string folder, byte[] init, IReadOnlyList<MediaSegment> segments)
    {
        File.WriteAllBytes(Path.Combine(folder, "init.mp4"), init);
        var m3u8 = new StringBuilder()
            .Append("#EXTM3U\n#EXT-X-VERSION:7\n")
            .Append(CultureInfo.InvariantCulture, $"#EXT-X-TARGETDURATION:{(int)Math.Ceiling(segments.Max(s => s.Duration))}\n")
            .Append("#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP:URI=\"init.mp4\"\n");
        for (var i = 0; i < segments.Count; i++)
        {
            File.WriteAllBytes(Path.Combine(folder, $"seg-{i + 1}.m4s"), segments[i].Bytes);
            m3u8.Append(CultureInfo.InvariantCulture, $"#EXTINF:{segments[i].Duration:0.000},\nseg-{i + 1}.m4s\n");
        }

        m3u8.Append("#EXT-X-ENDLIST\n");
        var playlist = Path.Combine(folder, "index.m3u8");
        File.WriteAllText(playlist, m3u8.ToString());
        return playlist;
    }
}
