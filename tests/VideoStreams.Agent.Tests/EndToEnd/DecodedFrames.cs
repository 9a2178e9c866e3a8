using System.Diagnostics;

namespace VideoStreams.Agent.Tests.EndToEnd;

/// <summary>Decodes a video file with the ffmpeg CLI into raw BGR24 pictures, one at a time, in output order.</summary>
internal static class DecodedFrames
{
    /// <summary>
    /// Runs <c>ffmpeg -i PATH -map 0:v:0 -fps_mode passthrough -enc_time_base -1 -f rawvideo -pix_fmt bgr24 -</c> and hands each
    /// picture to <paramref name="onFrame"/> (index, pixels; the buffer is reused). Returns the number of pictures
    /// and what ffmpeg printed on stderr.
    /// </summary>
    public static async Task<(int Frames, string Errors)> ForEachAsync(string path, int width, int height, Action<int, byte[]> onFrame)
    {
        var start = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "-nostdin", "-v", "error", "-i", path, "-map", "0:v:0", "-fps_mode", "passthrough", "-enc_time_base", "-1",
            "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", $"{width}x{height}", "-",
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var ffmpeg = Process.Start(start) ?? throw new InvalidOperationException("could not start ffmpeg");
        var errors = ffmpeg.StandardError.ReadToEndAsync();
        var frame = new byte[width * height * 3];
        var count = 0;
        var output = ffmpeg.StandardOutput.BaseStream;
        while (await ReadFrameAsync(output, frame))
        {
            onFrame(count++, frame);
        }

        await ffmpeg.WaitForExitAsync();
        var stderr = (await errors).Trim();
        return (count, ffmpeg.ExitCode == 0 ? stderr : $"exit {ffmpeg.ExitCode}: {stderr}");
    }

    /// <summary>
    /// <c>ffmpeg -v error -i PATH -map 0:v -enc_time_base -1 -f null -</c>: what the decoder complained about (empty
    /// when clean). The null output keeps the input's millisecond time base: in its default 1/frame-rate one, two
    /// capture times a few ms apart (jitter) round to one tick and the muxer, not the decoder, complains.
    /// </summary>
    public static async Task<string> DecodeErrorsAsync(string path)
    {
        var r = await VideoStreams.TestSupport.ToolRunner.RunAsync(
            "ffmpeg", ["-nostdin", "-v", "error", "-i", path, "-map", "0:v", "-enc_time_base", "-1", "-f", "null", "-"], TimeSpan.FromMinutes(3));
        return r.ExitCode == 0 ? r.StdErr.Trim() : $"exit {r.ExitCode}: {r.StdErr.Trim()}";
    }

    /// <summary>
    /// <see cref="DecodeErrorsAsync"/> of every document (fragment) of a saved GetMediaForFragmentList answer, each
    /// on its own; the complaints prefixed with the fragment's index, empty when every fragment decodes cleanly.
    /// </summary>
    public static async Task<string> FragmentDecodeErrorsAsync(string stored)
    {
        var complaints = new List<string>();
        var documents = StoredStream.SplitDocuments(stored, Path.Combine(Path.GetDirectoryName(stored)!, Path.GetFileNameWithoutExtension(stored) + "-fragments"));
        for (var i = 0; i < documents.Count; i++)
        {
            var errors = await DecodeErrorsAsync(documents[i]);
            if (errors.Length > 0)
            {
                complaints.Add($"fragment {i}: {errors}");
            }
        }

        return string.Join("\n", complaints);
    }

    private static async Task<bool> ReadFrameAsync(Stream input, byte[] frame)
    {
        var filled = 0;
        while (filled < frame.Length)
        {
            var read = await input.ReadAsync(frame.AsMemory(filled));
            if (read == 0)
            {
                return false;
            }

            filled += read;
        }

        return true;
    }
}
