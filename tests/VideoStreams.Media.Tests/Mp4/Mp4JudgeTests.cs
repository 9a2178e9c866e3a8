using System.Globalization;
using VideoStreams.Media.Mp4;
using VideoStreams.TestSupport;

namespace VideoStreams.Media.Tests.Mp4;

/// <summary>Our MP4 output judged by ffprobe/ffmpeg against the file ffmpeg itself made from the same media.</summary>
public sealed class Mp4JudgeTests
{
    public static TheoryData<string> Sources => [Samples.High720p30Aac, Samples.Main360p30Aac, Samples.Baseline360p25];

    [Theory]
    [MemberData(nameof(Sources))]
    public async Task Progressive_mp4_plays_cleanly_and_keeps_every_packet_time_and_key_flag(string mkv)
    {
        using var dir = new TempDirectory();
        var source = await SourceMp4.FromMkvAsync(mkv, dir.Path);
        var layout = Mp4FileLayout.Create(source.Tracks, source.SampleMemories);
        var path = dir.File("out.mp4");
        await File.WriteAllBytesAsync(path, Mp4Outputs.WriteProgressive(source, layout));

        Assert.Equal("", await MediaJudges.FfprobeErrorsAsync(path));
        Assert.Equal("", await MediaJudges.DecodeErrorsAsync(path));
        AssertSamePackets(await FfprobeReport.ProbeAsync(source.Path), await FfprobeReport.ProbeAsync(path));
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public async Task Fragmented_mp4_plays_cleanly_as_hls_and_keeps_every_packet_time_and_key_flag(string mkv)
    {
        using var dir = new TempDirectory();
        var source = await SourceMp4.FromMkvAsync(mkv, dir.Path);
        var init = Mp4Outputs.WriteInit(source);
        var segments = Mp4Outputs.WriteSegments(source);
        Assert.True(segments.Count >= 2, "the sample should give several segments");
        var playlist = Mp4Outputs.WriteHls(dir.Path, init, segments);
        var whole = dir.File("fragmented.mp4");
        await File.WriteAllBytesAsync(whole, [.. init, .. segments.SelectMany(s => s.Bytes)]);

        var expected = await FfprobeReport.ProbeAsync(source.Path);
        foreach (var path in new[] { whole, playlist })
        {
            Assert.Equal("", await MediaJudges.FfprobeErrorsAsync(path));
            Assert.Equal("", await MediaJudges.DecodeErrorsAsync(path));
        }

        // ffmpeg 5.1 reads fMP4 as PTS = tfdt-based DTS + cto + (largest negative cto seen), unlike the spec and
        // unlike how it reads progressive files: it presents such tracks later by that amount. Allow exactly that.
        var ffmpegShift = new Dictionary<string, double>
        {
            ["video"] = FfmpegFragmentShift(source, Mp4TrackKind.Video),
            ["audio"] = FfmpegFragmentShift(source, Mp4TrackKind.Audio),
        };
        AssertSamePackets(expected, await FfprobeReport.ProbeAsync(whole), ffmpegShift);
        AssertSamePackets(expected, await FfprobeReport.ProbeAsync(playlist), ffmpegShift);
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public async Task Fragments_carry_the_source_presentation_times_exactly_as_the_spec_reads_them(string mkv)
    {
        using var dir = new TempDirectory();
        var source = await SourceMp4.FromMkvAsync(mkv, dir.Path);
        var segments = Mp4Outputs.WriteSegments(source);
        var bytes = segments.SelectMany(s => s.Bytes).ToArray();
        var read = FragmentReader.Read(bytes).SelectMany(f => f.Trafs).SelectMany(t => t.Samples).ToList();

        Assert.Equal(Enumerable.Range(1, segments.Count).Select(i => (uint)i), FragmentReader.Read(bytes).Select(f => f.SequenceNumber));
        for (var t = 0; t < source.Tracks.Count; t++)
        {
            var track = source.Parsed.Tracks[t];
            var media = track.Edits.FirstOrDefault(e => e.MediaTime >= 0)?.MediaTime ?? 0;
            var expected = track.Samples.Select(s => (s.PresentationTime - media + source.DelayTicks[t], s.IsSync, s.Size, s.FileOffset)).ToList();
            var actual = read.Where(s => s.TrackId == source.Tracks[t].TrackId).ToList();
            Assert.Equal(expected.Select(e => (e.Item1, e.IsSync, e.Size)), actual.Select(a => (a.DecodeTime + a.CompositionOffset, a.IsSync, a.Size)));
            for (var i = 0; i < actual.Count; i++)
            {
                Assert.True(bytes.AsSpan((int)actual[i].Offset, actual[i].Size).SequenceEqual(source.Bytes.AsSpan((int)expected[i].FileOffset, expected[i].Size)), $"track {t} sample {i} bytes");
            }
        }
    }

    [Fact]
    public async Task Two_sample_descriptions_in_one_track_switch_the_decoded_resolution_mid_stream()
    {
        using var dir = new TempDirectory();
        var parts = new List<SourceMp4>();
        foreach (var size in new[] { "320x240", "640x360" })
        {
            var path = dir.File(size + ".mp4");
            (await ToolRunner.RunAsync("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", $"testsrc2=size={size}:rate=30:duration=1",
                "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "15", "-pix_fmt", "yuv420p", path)).EnsureSuccess("ffmpeg encode");
            parts.Add(SourceMp4.Load(path));
        }

        // One track: the first part's samples with description 0, then the second's with description 1.
        var first = parts[0].Samples[0];
        var firstEnd = first[^1].DecodeTime + first[^1].Duration;
        var samples = first.Concat(parts[1].Samples[0].Select(s => s with { DecodeTime = s.DecodeTime + firstEnd, DescriptionIndex = 1 })).ToArray();
        Assert.Equal(parts[0].Tracks[0].Timescale, parts[1].Tracks[0].Timescale);
        var track = new Mp4Track
        {
            TrackId = 1,
            Kind = Mp4TrackKind.Video,
            Timescale = parts[0].Tracks[0].Timescale,
            SampleDescriptions = [parts[0].Tracks[0].SampleDescriptions[0], parts[1].Tracks[0].SampleDescriptions[0]],
        };
        var layout = Mp4FileLayout.Create([track], [samples]);
        var output = dir.File("switch.mp4");
        await using (var stream = File.Create(output))
        {
            layout.WriteTo(stream, (_, i, destination) =>
                destination.Write((i < first.Length ? parts[0].Data(0, i) : parts[1].Data(0, i - first.Length)).Span));
        }

        Assert.Equal("", await MediaJudges.FfprobeErrorsAsync(output));
        Assert.Equal("", await MediaJudges.DecodeErrorsAsync(output));
        var frames = await MediaJudges.DecodedVideoFramesAsync(output);
        Assert.Equal(Enumerable.Repeat((320, 240), 30).Concat(Enumerable.Repeat((640, 360), 30)), frames.Select(f => (f.Width, f.Height)));
        Assert.Equal(frames.Select(f => f.Pts).Order(), frames.Select(f => f.Pts));
    }

    private static double FfmpegFragmentShift(SourceMp4 source, Mp4TrackKind kind)
    {
        var t = source.Tracks.FindIndex(x => x.Kind == kind);
        return t < 0 ? 0 : Math.Max(0, -source.Samples[t].Min(s => s.CompositionOffset)) / (double)source.Tracks[t].Timescale;
    }

    internal static void AssertSamePackets(FfprobeReport expected, FfprobeReport actual, IReadOnlyDictionary<string, double>? shift = null)
    {
        var problems = new List<string>();
        foreach (var type in new[] { "video", "audio" })
        {
            var e = expected.PacketsOf(type);
            var a = actual.PacketsOf(type);
            var offset = shift?.GetValueOrDefault(type) ?? 0;
            if (e.Count != a.Count)
            {
                problems.Add($"{type}: {a.Count} packets, expected {e.Count}");
                continue;
            }

            for (var i = 0; i < e.Count; i++)
            {
                if (e[i].Pts is not { } ep || a[i].Pts is not { } ap || Math.Abs(ep + offset - ap) > 0.001 || e[i].IsKey != a[i].IsKey || e[i].Size != a[i].Size)
                {
                    problems.Add(string.Create(CultureInfo.InvariantCulture, $"{type} #{i}: pts {a[i].Pts} key {a[i].IsKey} size {a[i].Size}; expected pts {e[i].Pts} key {e[i].IsKey} size {e[i].Size}"));
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems.Take(20)));
    }
}
