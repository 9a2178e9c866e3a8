using VideoStreams.Media.Mp4;
using VideoStreams.TestSupport;

namespace VideoStreams.Media.Tests.Mp4;

/// <summary>A unique temp folder, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "vs-mp4-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>
/// Test input standing in for the MKV reader: an MP4 that ffmpeg made, read back with the test-side box reader and
/// turned into our model the way the remuxer will feed it — decode times re-based so each track's first sample
/// decodes at 0, decode times = sorted presentation times (so B-frames get negative composition offsets), and the
/// source's empty edit carried as the track's presentation delay.
/// </summary>
internal sealed class SourceMp4
{
    private SourceMp4(string path, byte[] bytes, ParsedMp4 parsed)
    {
        Path = path;
        Bytes = bytes;
        Parsed = parsed;
    }

    public string Path { get; }
    public byte[] Bytes { get; }
    public ParsedMp4 Parsed { get; }
    public List<Mp4Track> Tracks { get; } = [];
    public List<Mp4Sample[]> Samples { get; } = [];
    public List<long[]> SourceOffsets { get; } = [];

    /// <summary>Per track, the presentation delay in the track's timescale (what fMP4 carries in tfdt).</summary>
    public List<long> DelayTicks { get; } = [];

    public IReadOnlyList<ReadOnlyMemory<Mp4Sample>> SampleMemories => Samples.Select(s => (ReadOnlyMemory<Mp4Sample>)s).ToList();

    public ReadOnlyMemory<byte> Data(int track, int sample) => Bytes.AsMemory((int)SourceOffsets[track][sample], Samples[track][sample].Size);

    /// <summary>Makes <c>src.mp4</c> in <paramref name="folder"/> from a sample MKV with <c>ffmpeg -c copy</c> and reads it.</summary>
    public static async Task<SourceMp4> FromMkvAsync(string mkvName, string folder, string name = "src.mp4")
    {
        var path = System.IO.Path.Combine(folder, name);
        (await ToolRunner.RunAsync("ffmpeg", "-nostdin", "-v", "error", "-y", "-i", VideoStreams.TestSupport.Samples.PathOf(mkvName), "-c", "copy", path)).EnsureSuccess("ffmpeg remux");
        return Load(path);
    }

    public static SourceMp4 Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var parsed = ParsedMp4.Parse(bytes);
        var source = new SourceMp4(path, bytes, parsed);
        foreach (var t in parsed.Tracks)
        {
            source.Add(t, parsed.MovieTimescale);
        }

        return source;
    }

    private void Add(ParsedTrack t, uint movieTimescale)
    {
        var kind = t.Handler == "vide" ? Mp4TrackKind.Video : Mp4TrackKind.Audio;
        var descriptions = t.Descriptions
            .Select(d => d.Format == "avc1"
                ? (Mp4SampleDescription)new AvcSampleDescription(d.Width, d.Height, d.Config)
                : new AacSampleDescription(d.SampleRate, d.ChannelCount, d.Config))
            .ToList();
        var delayMs = t.Edits is [{ MediaTime: -1 } empty, ..] ? empty.SegmentDuration * 1000 / movieTimescale : 0;
        Tracks.Add(new Mp4Track
        {
            TrackId = t.TrackId,
            Kind = kind,
            Timescale = t.Timescale,
            SampleDescriptions = descriptions,
            Language = t.Language,
            PresentationDelayMilliseconds = delayMs,
        });
        DelayTicks.Add(delayMs * t.Timescale / 1000);
        Samples.Add(Rebase(t.Samples));
        SourceOffsets.Add(t.Samples.Select(s => s.FileOffset).ToArray());
    }

    /// <summary>DTS := sorted PTS − min PTS; offset := PTS − DTS; duration := next DTS − DTS (the last keeps its own).</summary>
    internal static Mp4Sample[] Rebase(IReadOnlyList<ParsedSample> samples)
    {
        var pts = samples.Select(s => s.PresentationTime).ToArray();
        var sorted = pts.Order().ToArray();
        var min = sorted.Length > 0 ? sorted[0] : 0;
        var result = new Mp4Sample[samples.Count];
        for (var i = 0; i < samples.Count; i++)
        {
            var dts = sorted[i] - min;
            var duration = i + 1 < samples.Count ? (uint)(sorted[i + 1] - sorted[i]) : samples[i].Duration;
            result[i] = new Mp4Sample(dts, duration, (int)(pts[i] - min - dts), samples[i].Size, samples[i].IsSync, samples[i].DescriptionIndex);
        }

        return result;
    }
}
