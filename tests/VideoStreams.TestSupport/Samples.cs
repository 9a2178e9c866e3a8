using Xunit;

namespace VideoStreams.TestSupport;

/// <summary>The sample media in <c>media-samples/</c> (see its generate.sh) and what each one is.</summary>
public static class Samples
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "media-samples");
            if (File.Exists(Path.Combine(candidate, "generate.sh")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("media-samples/ not found above " + AppContext.BaseDirectory);
    });

    /// <summary>Absolute path of the media-samples folder.</summary>
    public static string Folder => Root.Value;

    /// <summary>Absolute path of a sample file.</summary>
    public static string PathOf(string name) => Path.Combine(Folder, name);

    public const string Baseline360p25 = "baseline-640x360-25fps.mkv";
    public const string Main360p30Aac = "main-640x360-30fps-aac.mkv";
    public const string High720p30Aac = "high-1280x720-30fps-aac.mkv";
    public const string High720p25 = "high-1280x720-25fps.mkv";
    public const string LiveHigh720p30Aac = "live-high-1280x720-30fps-aac.mkv";
    public const string LacedBlockGroups = "laced-blockgroups-640x360-30fps-aac.mkv";
    public const string ResolutionChange = "resolution-change.mkv";
    public const string Truncated = "truncated.mkv";
    public const string Tiny = "tiny-160x120-10fps-aac.mkv";

    /// <summary>Every well-formed MKV sample (the truncated one excluded).</summary>
    public static IReadOnlyList<string> WellFormedMkv { get; } =
    [
        Baseline360p25, Main360p30Aac, High720p30Aac, High720p25, LiveHigh720p30Aac, LacedBlockGroups, ResolutionChange, Tiny,
    ];

    /// <summary>xunit theory data over <see cref="WellFormedMkv"/>.</summary>
    public static TheoryData<string> WellFormedMkvData()
    {
        var data = new TheoryData<string>();
        foreach (var name in WellFormedMkv)
        {
            data.Add(name);
        }

        return data;
    }
}
