using VideoStreams.Media.Tests.Matroska;
using VideoStreams.TestSupport;

namespace VideoStreams.Media.Tests.Remux;

/// <summary>Our MKV (the KVS live layout) is accepted by mkvtoolnix and gives back every frame byte for byte.</summary>
public sealed class MatroskaOutputTests(RemuxOutputs outputs) : IClassFixture<RemuxOutputs>
{
    [Theory]
    [MemberData(nameof(Samples.WellFormedMkvData), MemberType = typeof(Samples))]
    public async Task Mkvinfo_and_mkvmerge_accept_our_mkv(string sample)
    {
        var mkv = await outputs.MkvAsync(sample);

        var info = await ToolRunner.RunAsync("mkvinfo", mkv);
        var identify = await ToolRunner.RunAsync("mkvmerge", "--identify", mkv);

        Assert.True(info.ExitCode == 0, info.StdOut + info.StdErr);
        Assert.DoesNotContain("Error", info.StdOut, StringComparison.OrdinalIgnoreCase);
        Assert.True(identify.ExitCode == 0, identify.StdOut + identify.StdErr);
        Assert.Contains("container: Matroska", identify.StdOut, StringComparison.Ordinal);
        Assert.Equal("", await MediaJudges.FfprobeErrorsAsync(mkv));
    }

    [Theory]
    [MemberData(nameof(Samples.WellFormedMkvData), MemberType = typeof(Samples))]
    public async Task Our_mkv_round_trips_through_our_reader_byte_exact_per_frame(string sample)
    {
        var source = ReadLog.ReadWhole(await File.ReadAllBytesAsync(Samples.PathOf(sample)));
        var ours = ReadLog.ReadWhole(await File.ReadAllBytesAsync(await outputs.MkvAsync(sample)));

        Assert.Equal(source.Frames.Count, ours.Frames.Count);
        for (var i = 0; i < source.Frames.Count; i++)
        {
            var (a, b) = (source.Frames[i], ours.Frames[i]);
            Assert.Equal((a.Track, a.Timestamp, a.IsKeyframe), (b.Track, b.Timestamp, b.IsKeyframe));
            Assert.True(a.Data.AsSpan().SequenceEqual(b.Data), $"frame {i} bytes differ");
        }

        Assert.Equal(source.Clusters.Select(c => c.Timestamp), ours.Clusters.Select(c => c.Timestamp));
        Assert.Equal(source.Tracks.Select(t => (t.Number, t.CodecId, t.CodecPrivate.ToArray().Length)), ours.Tracks.Select(t => (t.Number, t.CodecId, t.CodecPrivate.ToArray().Length)));
    }
}
