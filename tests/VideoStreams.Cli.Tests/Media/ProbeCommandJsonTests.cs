using System.Text.Json;
using VideoStreams.TestSupport;

namespace VideoStreams.Cli.Tests.Media;

/// <summary><c>vs media probe FILE --json</c>: what a script reads, checked against ffprobe's packets.</summary>
public sealed class ProbeCommandJsonTests
{
    [Theory]
    [MemberData(nameof(Samples.WellFormedMkvData), MemberType = typeof(Samples))]
    public async Task Json_probe_counts_the_frames_and_times_the_keyframes_as_ffprobe_does(string sample)
    {
        var facts = await FfprobeFacts.OfSampleAsync(sample);

        using var json = await ProbeJsonAsync(sample);

        var root = json.RootElement;
        Assert.Equal("matroska", root.GetProperty("docType").GetString());
        Assert.Equal(new FileInfo(Samples.PathOf(sample)).Length, root.GetProperty("size").GetInt64());
        var tracks = root.GetProperty("tracks").EnumerateArray().ToList();
        Assert.Equal(facts.Streams.Select(s => s.Type), tracks.Select(t => t.GetProperty("type").GetString()));
        foreach (var (stream, track) in facts.Streams.Zip(tracks))
        {
            Assert.Equal(stream.Codec, track.GetProperty("codec").GetString());
            Assert.Equal(facts.PacketsOf(stream).Count, track.GetProperty("frames").GetInt32());
            var keyframes = track.GetProperty("keyframes").EnumerateArray().Select(k => k.GetProperty("timeSeconds").GetDouble()).ToList();
            if (stream.Type == "video")
            {
                Assert.Equal(stream.Width, track.GetProperty("width").GetInt32());
                Assert.Equal(stream.Height, track.GetProperty("height").GetInt32());
                var expected = facts.KeyframesOf(stream).Select(p => p.Pts).ToList();
                Assert.Equal(expected.Count, keyframes.Count);
                Assert.All(expected.Zip(keyframes), pair => Assert.Equal(pair.First, pair.Second, 0.001));
            }
            else
            {
                Assert.Equal(stream.SampleRate, track.GetProperty("sampleRate").GetInt32());
                Assert.Equal(stream.Channels, track.GetProperty("channels").GetInt32());
            }
        }
    }

    [Theory]
    [MemberData(nameof(Samples.WellFormedMkvData), MemberType = typeof(Samples))]
    public async Task Json_keyframe_offsets_point_at_the_blocks_ffprobe_reads_the_keyframes_from(string sample)
    {
        var facts = await FfprobeFacts.OfSampleAsync(sample);
        var file = await File.ReadAllBytesAsync(Samples.PathOf(sample));

        using var json = await ProbeJsonAsync(sample);

        var video = json.RootElement.GetProperty("tracks").EnumerateArray().Single(t => t.GetProperty("type").GetString() == "video");
        var keyframes = video.GetProperty("keyframes").EnumerateArray().ToList();
        Assert.Equal(facts.KeyframesOf(facts.Video).Count, keyframes.Count);
        foreach (var (packet, keyframe) in facts.KeyframesOf(facts.Video).Zip(keyframes))
        {
            // A seek index is only useful if a reader can start at the offset: it must be the block (SimpleBlock 0xA3
            // or BlockGroup 0xA0) element whose bytes hold the frame ffprobe read there.
            var offset = keyframe.GetProperty("offset").GetInt64();
            var (start, end) = BlockElement(file, offset);
            Assert.InRange(packet.Pos, start + 1, end - 1);
        }
    }

    [Fact]
    public async Task Json_probe_of_a_resolution_change_lists_the_configurations_a_decoder_shows()
    {
        var decoded = await Decoded.ConfigurationRunsAsync(Samples.PathOf(Samples.ResolutionChange));

        using var json = await ProbeJsonAsync(Samples.ResolutionChange);

        var video = json.RootElement.GetProperty("tracks")[0];
        var configurations = video.GetProperty("configurations").EnumerateArray().ToList();
        Assert.Equal(2, configurations.Count);
        Assert.Equal(["640x360", "1280x720"], decoded.Select(d => d.Size));
        Assert.Equal(decoded.Select(d => d.Size), configurations.Select(c => $"{c.GetProperty("width").GetInt32()}x{c.GetProperty("height").GetInt32()}"));
        Assert.All(decoded.Zip(configurations), pair => Assert.Equal(pair.First.FromSeconds, pair.Second.GetProperty("fromSeconds").GetDouble(), 0.001));
        Assert.Equal(3.0, configurations[1].GetProperty("fromSeconds").GetDouble(), 0.001);
        Assert.All(configurations, c => Assert.StartsWith("avc1.64", c.GetProperty("codec").GetString(), StringComparison.Ordinal));
    }

    private static async Task<JsonDocument> ProbeJsonAsync(string sample)
    {
        var run = await Vs.SucceedOnceAsync("media", "probe", Samples.PathOf(sample), "--json");
        return JsonDocument.Parse(run.StdOut);
    }

    private static (long Start, long End) BlockElement(byte[] file, long offset)
    {
        Assert.InRange(offset, 0, file.Length - 2);
        Assert.Contains(file[offset], new byte[] { 0xA3, 0xA0 });
        // EBML size: a variable-length integer whose leading zero bits give its extra bytes.
        var first = file[offset + 1];
        Assert.NotEqual(0, first);
        var length = System.Numerics.BitOperations.LeadingZeroCount((uint)first) - 24 + 1;
        long size = first & (0xFF >> length);
        for (var i = 1; i < length; i++)
        {
            size = (size << 8) | file[offset + 1 + i];
        }

        return (offset, offset + 1 + length + size);
    }
}
