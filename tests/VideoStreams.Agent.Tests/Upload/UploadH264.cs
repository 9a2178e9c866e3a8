using System.Globalization;
using VideoStreams.TestSupport;

namespace VideoStreams.Agent.Tests.Upload;

/// <summary>
/// Real H.264 from ffmpeg's libx264 split into Annex B access units (the same recipe as the producer tests'
/// H264TestStreams): no B-frames, a closed GOP, an access unit delimiter before every picture.
/// </summary>
internal static class UploadH264
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Dictionary<string, IReadOnlyList<byte[]>> Cache = [];

    public static async Task<IReadOnlyList<byte[]>> EncodeAsync(int frames, int fps = 30, int gop = 30, string size = "320x240")
    {
        var key = $"{frames}-{fps}-{gop}-{size}";
        await Gate.WaitAsync();
        try
        {
            if (Cache.TryGetValue(key, out var cached))
            {
                return cached;
            }

            var path = Path.Combine(Path.GetTempPath(), $"vs-upload-{Guid.NewGuid():N}.h264");
            try
            {
                var result = await ToolRunner.RunAsync("ffmpeg",
                [
                    "-nostdin", "-v", "error", "-f", "lavfi", "-i", $"testsrc2=size={size}:rate={fps}",
                    "-frames:v", frames.ToString(CultureInfo.InvariantCulture),
                    "-c:v", "libx264", "-preset", "ultrafast", "-g", gop.ToString(CultureInfo.InvariantCulture),
                    "-keyint_min", gop.ToString(CultureInfo.InvariantCulture), "-sc_threshold", "0", "-bf", "0",
                    "-x264-params", "aud=1", "-pix_fmt", "yuv420p", "-f", "h264", "-y", path,
                ]);
                result.EnsureSuccess("ffmpeg encode");
                var units = SplitAccessUnits(await File.ReadAllBytesAsync(path));
                Cache[key] = units;
                return units;
            }
            finally
            {
                File.Delete(path);
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    private static List<byte[]> SplitAccessUnits(byte[] stream)
    {
        var starts = new List<int>();
        for (var i = 0; i + 3 < stream.Length; i++)
        {
            if (stream[i] == 0 && stream[i + 1] == 0 && stream[i + 2] == 1 && (stream[i + 3] & 0x1F) == 9)
            {
                starts.Add(i > 0 && stream[i - 1] == 0 ? i - 1 : i);
            }
        }

        var units = new List<byte[]>(starts.Count);
        for (var k = 0; k < starts.Count; k++)
        {
            units.Add(stream[starts[k]..(k + 1 < starts.Count ? starts[k + 1] : stream.Length)]);
        }

        return units;
    }
}
