namespace VideoStreams.TestSupport;

/// <summary>The tools the world uses, as judges of our output. Each returns what the tool complained about.</summary>
public static class MediaJudges
{
    /// <summary><c>ffprobe -v error</c>: returns its stderr (empty when the file is accepted).</summary>
    public static async Task<string> FfprobeErrorsAsync(string path)
    {
        var r = await ToolRunner.RunAsync("ffprobe", "-v", "error", path);
        return r.ExitCode == 0 ? r.StdErr.Trim() : $"exit {r.ExitCode}: {r.StdErr.Trim()}";
    }

    /// <summary><c>ffmpeg -v error -i X -f null -</c>: returns what the decoder complained about (empty when clean).</summary>
    public static async Task<string> DecodeErrorsAsync(string path)
    {
        var r = await ToolRunner.RunAsync("ffmpeg", ["-nostdin", "-v", "error", "-i", path, "-f", "null", "-"], TimeSpan.FromMinutes(3));
        return r.ExitCode == 0 ? r.StdErr.Trim() : $"exit {r.ExitCode}: {r.StdErr.Trim()}";
    }

    /// <summary>Counts decoded video frames, in presentation order, with their pts and size.</summary>
    public static async Task<IReadOnlyList<(double Pts, int Width, int Height)>> DecodedVideoFramesAsync(string path)
    {
        var r = await ToolRunner.RunAsync("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=pts_time,width,height", "-of", "csv=p=0", path);
        r.EnsureSuccess("ffprobe frames " + path);
        var frames = new List<(double, int, int)>();
        foreach (var line in r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(',');
            if (parts.Length >= 3 && double.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out var pts))
            {
                frames.Add((pts, int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        return frames;
    }
}
