using System.Text.Json;
using VideoStreams.TestSupport;

namespace VideoStreams.Media.Tests.Matroska;

/// <summary>What mkvtoolnix thinks of a file.</summary>
internal static class MatroskaJudges
{
    /// <summary>mkvmerge -J: recognized, supported, no errors or warnings; returns (number, codec id) per track.</summary>
    public static async Task<List<(long Number, string CodecId, string Type)>> MkvmergeTracksAsync(string path)
    {
        var r = await ToolRunner.RunAsync("mkvmerge", "-J", path);
        Assert.True(r.ExitCode == 0, $"mkvmerge -J exited {r.ExitCode}: {r.StdOut} {r.StdErr}");
        using var json = JsonDocument.Parse(r.StdOut);
        var root = json.RootElement;
        Assert.True(root.GetProperty("container").GetProperty("recognized").GetBoolean());
        Assert.True(root.GetProperty("container").GetProperty("supported").GetBoolean());
        Assert.Equal(0, root.GetProperty("errors").GetArrayLength());
        Assert.Equal(0, root.GetProperty("warnings").GetArrayLength());
        return root.GetProperty("tracks").EnumerateArray()
            .Select(t => (
                t.GetProperty("properties").GetProperty("number").GetInt64(),
                t.GetProperty("properties").GetProperty("codec_id").GetString()!,
                t.GetProperty("type").GetString()!))
            .ToList();
    }

    /// <summary>mkvinfo --all (every element, clusters included): must exit 0 with no error or warning; returns its output.</summary>
    public static async Task<string> MkvinfoAsync(string path, params string[] options)
    {
        var r = await ToolRunner.RunAsync("mkvinfo", ["--all", .. options, path]);
        Assert.True(r.ExitCode == 0, $"mkvinfo exited {r.ExitCode}: {r.StdOut} {r.StdErr}");
        Assert.DoesNotContain("Error", r.StdOut, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Warning", r.StdOut, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("", r.StdErr.Trim());
        return r.StdOut;
    }
}
