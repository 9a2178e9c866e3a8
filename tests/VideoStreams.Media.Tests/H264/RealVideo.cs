using VideoStreams.TestSupport;

namespace VideoStreams.Media.Tests.H264;

/// <summary>The video of a sample as FFmpeg hands it out: Annex B bytes, and length-prefixed packets as stored in the MKV.</summary>
internal sealed record RealVideo(byte[] AnnexB, byte[] AvcC, byte[] AvccStream, IReadOnlyList<ProbedPacket> Packets)
{
    /// <summary>Each packet's bytes as a slice of <see cref="AvccStream"/>, in decode order.</summary>
    public IEnumerable<ReadOnlyMemory<byte>> AvccPackets()
    {
        var offset = 0;
        foreach (var p in Packets)
        {
            yield return AvccStream.AsMemory(offset, p.Size);
            offset += p.Size;
        }
    }

    /// <summary>
    /// Extracts a sample's video: <c>-f h264</c> (FFmpeg's h264_mp4toannexb) for Annex B, <c>-f rawvideo</c> for the
    /// packets exactly as the MKV stores them, and ffprobe for packet sizes and key flags.
    /// </summary>
    public static async Task<RealVideo> ExtractAsync(string path)
    {
        using var folder = new TempFolder();
        var annexB = folder.File("v.h264");
        var raw = folder.File("v.avcc");
        (await ToolRunner.RunAsync("ffmpeg", "-nostdin", "-v", "error", "-i", path, "-map", "0:v:0", "-c", "copy", "-f", "h264", annexB)).EnsureSuccess("annexb");
        (await ToolRunner.RunAsync("ffmpeg", "-nostdin", "-v", "error", "-i", path, "-map", "0:v:0", "-c", "copy", "-f", "rawvideo", raw)).EnsureSuccess("rawvideo");
        var report = await FfprobeReport.ProbeAsync(path);
        return new RealVideo(
            await File.ReadAllBytesAsync(annexB),
            await FfprobeFacts.ExtradataAsync(path, "v:0"),
            await File.ReadAllBytesAsync(raw),
            report.PacketsOf("video"));
    }
}
