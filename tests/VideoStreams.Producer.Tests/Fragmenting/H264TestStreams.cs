using VideoStreams.TestSupport;

namespace VideoStreams.Producer.Tests.Fragmenting;

/// <summary>Real H.264 from ffmpeg's libx264, split into Annex B access units, with capture times on a wall clock.</summary>
internal static class H264TestStreams
{
    /// <summary>A fixed wall-clock origin (2026-01-01T00:00:00Z) so timestamps are ABSOLUTE epoch milliseconds.</summary>
    public const long EpochOriginMs = 1_767_225_600_000;

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Dictionary<string, IReadOnlyList<byte[]>> Cache = [];

    /// <summary>
    /// Encodes <c>testsrc2</c> with libx264 (no B-frames, closed GOP of <paramref name="gop"/>, an access unit
    /// delimiter before every picture so access units can be split) and returns the access units in decode order.
    /// </summary>
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

            var path = Path.Combine(Path.GetTempPath(), $"vs-producer-{Guid.NewGuid():N}.h264");
            try
            {
                var result = await ToolRunner.RunAsync("ffmpeg",
                [
                    "-nostdin", "-v", "error", "-f", "lavfi", "-i", $"testsrc2=size={size}:rate={fps}", "-frames:v", frames.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "-c:v", "libx264", "-preset", "ultrafast", "-g", gop.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "-keyint_min", gop.ToString(System.Globalization.CultureInfo.InvariantCulture), "-sc_threshold", "0", "-bf", "0",
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

    /// <summary>Capture time of frame <paramref name="index"/> at <paramref name="fps"/>, in epoch ms.</summary>
    public static long TimestampOf(int index, int fps = 30, long originMs = EpochOriginMs) => originMs + (index * 1000L / fps);

    /// <summary>Splits an Annex B stream at each access unit delimiter (NAL type 9).</summary>
    public static IReadOnlyList<byte[]> SplitAccessUnits(byte[] stream)
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
            var end = k + 1 < starts.Count ? starts[k + 1] : stream.Length;
            units.Add(stream[starts[k]..end]);
        }

        return units;
    }
}
