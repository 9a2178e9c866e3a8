using VideoStreams.Media.Matroska;
using VideoStreams.Media.Remux;
using VideoStreams.Media.Tests.Matroska;
using VideoStreams.Media.Tests.Mp4;
using VideoStreams.TestSupport;

namespace VideoStreams.Media.Tests.Remux;

/// <summary>Chunks of ~part target (low-latency HLS parts): cut at any frame, together the same media as whole segments.</summary>
public sealed class CmafPartTests
{
    private static readonly CmafSegmenterOptions Whole = new() { TargetSegmentDuration = TimeSpan.FromHours(1), MaxAudioWait = TimeSpan.FromHours(1) };

    private static CollectingSink Run(byte[] mkv, CmafSegmenterOptions options)
    {
        var sink = new CollectingSink();
        using var segmenter = new CmafSegmenter(sink, options);
        new MatroskaReader().ReadAll(mkv, segmenter.Handle);
        segmenter.Flush();
        return sink;
    }

    [Theory]
    [InlineData(Samples.Baseline360p25)]
    [InlineData(Samples.Main360p30Aac)]
    [InlineData(Samples.High720p30Aac)]
    public async Task Parts_concatenated_hold_the_same_samples_as_one_segment_and_ffprobe_reads_them(string sample)
    {
        var mkv = File.ReadAllBytes(Samples.PathOf(sample));
        var whole = Run(mkv, Whole);
        var parts = Run(mkv, Whole with { PartTargetDuration = TimeSpan.FromMilliseconds(200) });

        Assert.Single(whole.Segments);
        Assert.True(parts.Segments.Count > 5, $"{parts.Segments.Count} parts");
        if (sample == Samples.Baseline360p25)
        {
            Assert.Equal(whole.Inits[0].Bytes, parts.Inits[0].Bytes);
        }

        // mfhd increases by one, tfdt continues where the previous chunk ended, sync flags only on keyframes.
        var fragments = parts.Segments.Select(s => FragmentReader.Read(s.Bytes).Single()).ToList();
        Assert.Equal(Enumerable.Range(1, fragments.Count).Select(i => (uint)i), fragments.Select(f => f.SequenceNumber));
        for (var i = 1; i < fragments.Count; i++)
        {
            var before = fragments[i - 1].Trafs.Single(t => t.TrackId == 1);
            var now = fragments[i].Trafs.Single(t => t.TrackId == 1);
            Assert.Equal(before.BaseMediaDecodeTime + before.Samples.Sum(s => s.Duration), now.BaseMediaDecodeTime);
            Assert.Equal(now.Samples[0].IsSync, parts.Segments[i].Info.StartsWithKeyframe);
        }

        Assert.Contains(parts.Segments, s => !s.Info.StartsWithKeyframe);
        Assert.All(parts.Segments.Where(s => s.Info.DurationSeconds > 0 && fragmentsHaveVideo(s.Bytes)), s => Assert.InRange(s.Info.DurationSeconds, 0.03, 0.5));

        // Same samples (decode time, duration, size, sync), track by track; presentation times are compared through ffprobe
        // below (with B-frames the parts' init may carry a little more composition delay, which its edit list removes).
        static IEnumerable<(uint, long, uint, int, bool)> SamplesOf(IEnumerable<byte[]> chunks) => chunks
            .SelectMany(b => FragmentReader.Read(b)).SelectMany(f => f.Trafs)
            .SelectMany(t => t.Samples.Select((s, i) => (t.TrackId, t.BaseMediaDecodeTime + t.Samples.Take(i).Sum(x => (long)x.Duration), s.Duration, s.Size, s.IsSync)))
            .OrderBy(s => s.TrackId).ThenBy(s => s.Item2);
        Assert.Equal(SamplesOf(whole.Segments.Select(s => s.Bytes)), SamplesOf(parts.Segments.Select(s => s.Bytes)));

        // ffprobe reads init + parts back to back: same packets (times and sizes) as init + the whole segment.
        var folder = Directory.CreateTempSubdirectory("vs-parts-");
        try
        {
            var wholePath = Path.Combine(folder.FullName, "whole.mp4");
            var partsPath = Path.Combine(folder.FullName, "parts.mp4");
            await File.WriteAllBytesAsync(wholePath, [.. whole.Inits[0].Bytes, .. whole.Segments[0].Bytes]);
            await File.WriteAllBytesAsync(partsPath, [.. parts.Inits[0].Bytes, .. parts.Segments.SelectMany(s => s.Bytes)]);
            var a = await FfprobeReport.ProbeAsync(wholePath);
            var b = await FfprobeReport.ProbeAsync(partsPath);
            Assert.Equal(ReadLog.ReadWhole(mkv).Frames.Count(f => f.Track == 1), b.PacketsOf("video").Count);
            // Presentation times exact; decode times may sit the parts' extra composition delay earlier (B-frames).
            foreach (var type in new[] { "video", "audio" })
            {
                Assert.Equal(a.PacketsOf(type).Select(p => (p.Pts, p.Size, p.IsKey)), b.PacketsOf(type).Select(p => (p.Pts, p.Size, p.IsKey)));
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }

        static bool fragmentsHaveVideo(byte[] bytes) => FragmentReader.Read(bytes).Single().Trafs.Any(t => t.TrackId == 1);
    }

    [Fact]
    public void Flush_ends_a_run_and_packaging_goes_on_with_continuous_decode_times_and_discard_drops_pending_frames()
    {
        var mkv = File.ReadAllBytes(Samples.PathOf(Samples.Baseline360p25));
        var sink = new CollectingSink();
        using var segmenter = new CmafSegmenter(sink, Whole with { PartTargetDuration = TimeSpan.FromMilliseconds(200) });
        var reader = new MatroskaReader();
        var frames = 0;
        var flushedAt = -1;
        reader.ReadAll(mkv, (MatroskaReader r, in MatroskaEvent e) =>
        {
            if (e.Kind == MatroskaEventKind.Tracks)
            {
                segmenter.Begin(r.Info, r.Tracks);
            }
            else if (e.Kind == MatroskaEventKind.Frame)
            {
                segmenter.Add(e.Frame);
                if (++frames == 30)
                {
                    segmenter.Flush();
                    flushedAt = sink.Segments.Count;
                }
                else if (frames == 33)
                {
                    segmenter.Discard(); // frames 31–33 never come out
                }
            }
        });
        segmenter.Flush();

        var samples = sink.Segments.Select(s => FragmentReader.Read(s.Bytes).Single().Trafs.Single()).ToList();
        Assert.Equal(30, samples.Take(flushedAt).Sum(t => t.Samples.Count));
        Assert.Equal(frames - 3, samples.Sum(t => t.Samples.Count));
        for (var i = 1; i < samples.Count; i++)
        {
            Assert.True(samples[i].BaseMediaDecodeTime > samples[i - 1].BaseMediaDecodeTime);
        }
    }
}
