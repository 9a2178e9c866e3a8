using System.Buffers;
using System.Globalization;
using VideoStreams.Media.Matroska;
using VideoStreams.TestSupport;

namespace VideoStreams.Media.Tests.Matroska;

public sealed class MatroskaWriterTests : IClassFixture<RealClip>, IDisposable
{
    private static readonly MatroskaSegmentInfo Info = new();
    private readonly RealClip _clip;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "vs-mkvw-" + Guid.NewGuid().ToString("N"));

    public MatroskaWriterTests(RealClip clip)
    {
        _clip = clip;
        Directory.CreateDirectory(_dir);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Real_frames_in_sized_clusters_are_accepted_by_mkvtoolnix_and_decode_like_the_source()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new MatroskaWriter(buffer))
        {
            writer.WriteHeader(Info, _clip.Tracks);
            foreach (var (timestamp, frames) in _clip.Fragments())
            {
                writer.WriteCluster(timestamp, frames);
            }

            Assert.Equal(buffer.WrittenCount, writer.BytesWritten);
        }

        var path = await SaveAsync("sized.mkv", buffer);

        Assert.Equal([(1L, "V_MPEG4/ISO/AVC", "video"), (2L, "A_AAC", "audio")], await MatroskaJudges.MkvmergeTracksAsync(path));
        var info = await MatroskaJudges.MkvinfoAsync(path);
        Assert.Contains("Multiplexing application: VideoStreams", info, StringComparison.Ordinal);
        Assert.Contains("Segment: size unknown", info, StringComparison.Ordinal);
        Assert.Equal(2, CountLines(info, "|+ Cluster"));
        await AssertPlaysLikeTheSourceAsync(path);
    }

    [Fact]
    public async Task Real_frames_in_unknown_size_clusters_with_tags_around_them_are_accepted_and_decode_like_the_source()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new MatroskaWriter(buffer))
        {
            writer.WriteHeader(Info, _clip.Tracks);
            var number = 1;
            foreach (var (timestamp, frames) in _clip.Fragments())
            {
                writer.WriteTags([Tag("AWS_KINESISVIDEO_FRAGMENT_NUMBER", $"9134385233318143251152430641978829636672422958{number++}")]);
                writer.BeginCluster(timestamp);
                foreach (var frame in frames)
                {
                    writer.WriteFrame(frame);
                }

                writer.EndCluster();
                writer.WriteTags([Tag("AWS_KINESISVIDEO_MILLIS_BEHIND_NOW", "1234")]);
            }
        }

        var path = await SaveAsync("streamed.mkv", buffer);

        Assert.Equal(2, (await MatroskaJudges.MkvmergeTracksAsync(path)).Count);
        var info = await MatroskaJudges.MkvinfoAsync(path);
        Assert.Equal(2, CountLines(await MatroskaJudges.MkvinfoAsync(path, "-z"), "|+ Cluster size is unknown"));
        Assert.Contains("Name: AWS_KINESISVIDEO_FRAGMENT_NUMBER", info, StringComparison.Ordinal);
        Assert.Contains("String: 91343852333181432511524306419788296366724229582", info, StringComparison.Ordinal);
        Assert.Equal(2, CountOccurrences(info, "Name: AWS_KINESISVIDEO_MILLIS_BEHIND_NOW"));
        await AssertPlaysLikeTheSourceAsync(path);
    }

    [Fact]
    public async Task Two_complete_chunks_back_to_back_read_as_the_first_and_probe_without_errors()
    {
        var fragments = _clip.Fragments();
        void WriteChunk(ArrayBufferWriter<byte> output, int index) => MatroskaWriter.WriteChunk(
            output,
            Info,
            _clip.Tracks,
            [Tag("AWS_KINESISVIDEO_FRAGMENT_NUMBER", (index + 1).ToString(CultureInfo.InvariantCulture)), Tag("AWS_KINESISVIDEO_SERVER_TIMESTAMP", "1663277247.152")],
            fragments[index].Timestamp,
            fragments[index].Frames,
            [Tag("AWS_KINESISVIDEO_CONTINUATION_TOKEN", "token" + (index + 1))]);
        var buffer = new ArrayBufferWriter<byte>();
        WriteChunk(buffer, 0);
        WriteChunk(buffer, 1);
        var path = await SaveAsync("chunks.mkv", buffer);
        var first = new ArrayBufferWriter<byte>();
        WriteChunk(first, 0);
        var firstPath = await SaveAsync("first.mkv", first);

        // mkvinfo reads the whole first document; the second EBML header sits inside the first (unknown-size)
        // Segment, so it warns exactly there, resyncs and reads on.
        var r = await ToolRunner.RunAsync("mkvinfo", "--all", path);
        var firstLength = new FileInfo(firstPath).Length;
        var firstWarning = r.StdOut.IndexOf("Warning", StringComparison.Ordinal);
        Assert.True(firstWarning > 0, r.StdOut);
        var firstDocument = r.StdOut[..firstWarning];
        Assert.Contains("+ String: 1\n", firstDocument, StringComparison.Ordinal);
        Assert.Contains("Name: AWS_KINESISVIDEO_CONTINUATION_TOKEN", firstDocument, StringComparison.Ordinal);
        Assert.Contains($"Error in the Matroska file structure at position {firstLength}.", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("String: token2", r.StdOut, StringComparison.Ordinal);
        Assert.Equal("", await MediaJudges.FfprobeErrorsAsync(path));
        Assert.Equal(2, (await MatroskaJudges.MkvmergeTracksAsync(firstPath)).Count);
        await MatroskaJudges.MkvinfoAsync(firstPath);
        Assert.Equal("", await MediaJudges.DecodeErrorsAsync(firstPath));
        var videoInFirst = fragments[0].Frames.Count(f => f.TrackNumber == 1);
        Assert.True((await MediaJudges.DecodedVideoFramesAsync(path)).Count >= videoInFirst);
    }

    [Fact]
    public async Task Synthetic_frames_from_multi_segment_sequences_come_back_byte_for_byte()
    {
        var track = new MatroskaTrack { Number = 1, Type = MatroskaTrackType.Subtitle, CodecId = "S_TEXT/UTF8", Language = "fra", Name = "sous-titres" };
        var frames = new[]
        {
            new MatroskaFrame(1, 1000, true, Segmented("premier ", "sous-", "titre")),
            new MatroskaFrame(1, 1000 + short.MaxValue, true, Segmented("dernier")),
        };
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new MatroskaWriter(buffer))
        {
            writer.WriteHeader(Info with { Title = "Essai" }, [track]);
            writer.WriteCluster(1000, frames);
            writer.BeginCluster(40000);
            writer.WriteFrame(new MatroskaFrame(1, 40000 - 5, true, Segmented("a", "b", "c")));
            writer.WriteFrame(new MatroskaFrame(1, 40000 + short.MinValue, true, Segmented("avant ", "le ", "cluster")));
            writer.EndCluster();
        }

        var path = await SaveAsync("subs.mkv", buffer);

        Assert.Equal([(1L, "S_TEXT/UTF8", "subtitles")], await MatroskaJudges.MkvmergeTracksAsync(path));
        var info = await MatroskaJudges.MkvinfoAsync(path);
        Assert.Contains("Language: fra", info, StringComparison.Ordinal);
        Assert.Contains("Title: Essai", info, StringComparison.Ordinal);
        var r = await ToolRunner.RunAsync("ffprobe", "-v", "error", "-show_data_hash", "SHA256", "-show_entries", "packet=pts,data_hash", "-of", "csv=p=0", path);
        r.EnsureSuccess("ffprobe subs");
        Assert.Equal(
            [
                $"1000,SHA256:{Sha256("premier sous-titre")}",
                $"33767,SHA256:{Sha256("dernier")}",
                $"39995,SHA256:{Sha256("abc")}",
                $"7232,SHA256:{Sha256("avant le cluster")}",
            ],
            r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    private static string Sha256(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    private static ReadOnlySequence<byte> Segmented(params string[] pieces) =>
        TestSequence.Create(pieces.Select(System.Text.Encoding.UTF8.GetBytes).ToList());

    private static MatroskaTag Tag(string name, string value) => new([], [new MatroskaSimpleTag(name, value)]);

    private async Task<string> SaveAsync(string name, ArrayBufferWriter<byte> buffer)
    {
        var path = Path.Combine(_dir, name);
        await File.WriteAllBytesAsync(path, buffer.WrittenMemory.ToArray());
        return path;
    }

    /// <summary>ffprobe silent, ffmpeg decodes cleanly, and packets (timestamps, sizes, key flags) and pictures match the source.</summary>
    private async Task AssertPlaysLikeTheSourceAsync(string path)
    {
        Assert.Equal("", await MediaJudges.FfprobeErrorsAsync(path));
        Assert.Equal("", await MediaJudges.DecodeErrorsAsync(path));
        var ours = await FfprobeReport.ProbeAsync(path);
        var source = await FfprobeReport.ProbeAsync(_clip.ClipPath);
        foreach (var type in new[] { "video", "audio" })
        {
            var expected = source.PacketsOf(type).Select(p => (p.Pts, p.Size, p.IsKey)).ToList();
            Assert.NotEmpty(expected);
            Assert.Equal(expected, ours.PacketsOf(type).Select(p => (p.Pts, p.Size, p.IsKey)).ToList());
        }

        Assert.Equal(await FrameHashesAsync(_clip.ClipPath), await FrameHashesAsync(path));
    }

    private static async Task<List<string>> FrameHashesAsync(string path)
    {
        var r = await ToolRunner.RunAsync("ffmpeg", "-nostdin", "-v", "error", "-i", path, "-map", "0:v", "-fps_mode", "passthrough", "-f", "framemd5", "-");
        r.EnsureSuccess("framemd5 " + path);
        return r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).ToList();
    }

    private static int CountLines(string text, string line) =>
        text.Split('\n').Count(l => l.TrimEnd() == line);

    private static int CountOccurrences(string text, string what)
    {
        var count = 0;
        for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
