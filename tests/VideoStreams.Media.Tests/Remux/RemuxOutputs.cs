using VideoStreams.Media.Remux;
using VideoStreams.TestSupport;

namespace VideoStreams.Media.Tests.Remux;

/// <summary>
/// Remuxes every sample once per test run (MP4, HLS, MKV) into a temporary folder, so the judge tests share the work.
/// </summary>
public sealed class RemuxOutputs : IDisposable
{
    private readonly Dictionary<string, Task<string>> _mp4 = [];
    private readonly Dictionary<string, Task<string>> _hls = [];
    private readonly Dictionary<string, Task<string>> _mkv = [];

    public string Folder { get; } = Directory.CreateTempSubdirectory("vs-remux-").FullName;

    public Task<string> Mp4Async(string sample) => Once(_mp4, sample, async () =>
    {
        var path = Path.Combine(Folder, sample + ".mp4");
        Mp4RemuxPlan plan;
        await using (var input = File.OpenRead(Samples.PathOf(sample)))
        {
            plan = await Mp4Remuxer.PlanAsync(input);
        }

        using var source = File.OpenHandle(Samples.PathOf(sample));
        using var output = File.OpenHandle(path, FileMode.Create, FileAccess.Write);
        plan.WriteTo(source, output);
        return path;
    });

    public Task<string> HlsAsync(string sample) => Once(_hls, sample, async () =>
    {
        var folder = new DirectoryInfo(Path.Combine(Folder, sample + ".hls"));
        await using var input = File.OpenRead(Samples.PathOf(sample));
        await HlsFolderWriter.RemuxAsync(input, folder);
        return Path.Combine(folder.FullName, HlsFolderWriter.MediaPlaylist);
    });

    public Task<string> MkvAsync(string sample) => Once(_mkv, sample, async () =>
    {
        var path = Path.Combine(Folder, sample + ".live.mkv");
        await using var input = File.OpenRead(Samples.PathOf(sample));
        await using var output = File.Create(path);
        await MatroskaRemuxer.RemuxAsync(input, output);
        return path;
    });

    public void Dispose() => Directory.Delete(Folder, recursive: true);

    private static Task<string> Once(Dictionary<string, Task<string>> cache, string sample, Func<Task<string>> make)
    {
        lock (cache)
        {
            if (!cache.TryGetValue(sample, out var task))
            {
                task = Task.Run(make);
                cache[sample] = task;
            }

            return task;
        }
    }
}
