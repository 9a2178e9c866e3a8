using System.Globalization;
using System.Text.RegularExpressions;
using VideoStreams.TestSupport;

namespace VideoStreams.Cli.Tests.Media;

/// <summary><c>vs media probe FILE</c>: the text a user reads, checked against ffprobe's account of the same file.</summary>
public sealed partial class ProbeCommandTests
{
    [Theory]
    [MemberData(nameof(Samples.WellFormedMkvData), MemberType = typeof(Samples))]
    public async Task Probe_names_every_track_with_the_codec_size_and_frame_count_ffprobe_reports(string sample)
    {
        var facts = await FfprobeFacts.OfSampleAsync(sample);

        var run = await Vs.SucceedOnceAsync("media", "probe", Samples.PathOf(sample));

        var tracks = ParseTracks(run.StdOut);
        Assert.StartsWith(sample + ": ", run.StdOut, StringComparison.Ordinal);
        Assert.Equal(facts.Streams.Select(s => s.Type), tracks.Select(t => t.Type));
        foreach (var (stream, track) in facts.Streams.Zip(tracks))
        {
            Assert.Equal(stream.Codec, track.Codec);
            Assert.Equal(facts.PacketsOf(stream).Count, track.Frames);
            if (stream.Type == "video")
            {
                Assert.Equal($"{stream.Width}x{stream.Height}", track.Details);
            }
            else
            {
                Assert.Equal($"{stream.SampleRate} Hz, {stream.Channels} ch", track.Details);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Samples.WellFormedMkvData), MemberType = typeof(Samples))]
    public async Task Probe_lists_the_keyframes_ffprobe_flags_at_their_times(string sample)
    {
        var facts = await FfprobeFacts.OfSampleAsync(sample);
        var expected = facts.KeyframesOf(facts.Video);

        var run = await Vs.SucceedOnceAsync("media", "probe", Samples.PathOf(sample));

        var video = ParseTracks(run.StdOut).Single(t => t.Type == "video");
        Assert.Equal(expected.Count, video.KeyframeCount);
        Assert.Equal(expected.Count, video.KeyframeTimes.Length);
        foreach (var (want, got) in expected.Zip(video.KeyframeTimes))
        {
            // Printed with three decimals.
            Assert.InRange(got, want.Pts - 0.0011, want.Pts + 0.0011);
        }
    }

    [Fact]
    public async Task Probe_of_the_720p_High_sample_names_avc1_64001f_and_mp4a_40_2()
    {
        var run = await Vs.SucceedOnceAsync("media", "probe", Samples.PathOf(Samples.High720p30Aac));

        var tracks = ParseTracks(run.StdOut);
        Assert.Equal(["avc1.64001f", "mp4a.40.2"], tracks.Select(t => t.Codec));
        Assert.Equal("1280x720", tracks[0].Details);
    }

    [Fact]
    public async Task Probe_of_a_resolution_change_lists_each_configuration_from_when_it_starts()
    {
        var run = await Vs.SucceedOnceAsync("media", "probe", Samples.PathOf(Samples.ResolutionChange));

        var changes = FromLine().Matches(run.StdOut).Select(m => (Seconds: double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), Size: m.Groups[3].Value)).ToList();
        var decoded = await Decoded.ConfigurationRunsAsync(Samples.PathOf(Samples.ResolutionChange));
        Assert.Equal(decoded.Select(d => d.Size), changes.Select(c => c.Size));
        foreach (var (want, got) in decoded.Zip(changes))
        {
            Assert.InRange(got.Seconds, want.FromSeconds - 0.0011, want.FromSeconds + 0.0011);
        }
    }

    [Fact]
    public async Task Probe_help_describes_the_command()
    {
        var run = await Vs.SucceedAsync("media", "probe", "--help");

        Assert.Contains("Usage:", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("--json", run.StdOut, StringComparison.Ordinal);
    }

    private sealed record TextTrack(string Type, string Codec, string Details, int Frames, int KeyframeCount, double[] KeyframeTimes);

    private static List<TextTrack> ParseTracks(string text)
    {
        var tracks = new List<TextTrack>();
        foreach (var line in text.Split('\n'))
        {
            if (TrackLine().Match(line) is { Success: true } t)
            {
                tracks.Add(new TextTrack(t.Groups["type"].Value, t.Groups["codec"].Value, t.Groups["details"].Value, int.Parse(t.Groups["frames"].Value, CultureInfo.InvariantCulture), 0, []));
            }
            else if (KeyframesLine().Match(line) is { Success: true } k)
            {
                var times = k.Groups["list"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                    .Select(entry => double.Parse(entry[..entry.IndexOf("s@", StringComparison.Ordinal)], CultureInfo.InvariantCulture))
                    .ToArray();
                tracks[^1] = tracks[^1] with { KeyframeCount = int.Parse(k.Groups["count"].Value, CultureInfo.InvariantCulture), KeyframeTimes = times };
            }
        }

        return tracks;
    }

    // "  track 1: video avc1.64001f (V_MPEG4/ISO/AVC), 1280x720, 29.998 fps, 180 frames, …"
    [GeneratedRegex(@"^  track \d+: (?<type>\w+) (?<codec>\S+)(?: \([^)]*\))?, (?<details>\d+x\d+|\d+ Hz, \d+ ch), .*?(?<frames>\d+) frames")]
    private static partial Regex TrackLine();

    // "    keyframes (3): 0.021s@744 2.021s@94133 …"
    [GeneratedRegex(@"^    keyframes \((?<count>\d+)\):(?<list>.*)$")]
    private static partial Regex KeyframesLine();

    // "    from 3.000 s: avc1.64001f 1280x720"
    [GeneratedRegex(@"^    from (\d+\.\d+) s: (\S+) (\d+x\d+)$", RegexOptions.Multiline)]
    private static partial Regex FromLine();
}
