using System.CommandLine;

namespace VideoStreams.Cli.Remote;

/// <summary>Examples for the offline commands (<c>vs media</c>, <c>vs store</c>, <c>vs keys</c>), found by their path.</summary>
internal static class OfflineExamples
{
    public static void Add(RootCommand root)
    {
        For(root, "media probe", "vs media probe camera.mkv", "vs media probe camera.mkv --json | jq .durationSeconds");
        For(root, "media remux", "vs media remux camera.mkv camera.mp4", "vs media remux camera.mkv --hls out/ --segment-seconds 4");
        For(root, "store rebuild-index", "vs store rebuild-index --data /var/lib/videostreams");
        For(root, "keys rotate", "vs keys rotate --data /var/lib/videostreams --master-key k1=file:/etc/vs/k1");
        For(root, "keys list", "vs keys list --data /var/lib/videostreams --master-key k1=file:/etc/vs/k1");
        For(root, "streams", "vs streams ls", "vs streams create lobby --retention-hours 24");
        For(root, "fragments", "vs fragments ls lobby --from -15m");
        For(root, "media", "vs media probe camera.mkv");
        For(root, "store", "vs store rebuild-index --data ./data");
        For(root, "keys", "vs keys list --data ./data");
        root.WithExamples("vs streams ls", "vs clip lobby --from -15m -o last15.mp4", "vs hls-url lobby", "eval \"$(vs completion bash)\"");
    }

    private static void For(Command root, string path, params string[] examples)
    {
        var command = root;
        foreach (var name in path.Split(' '))
        {
            command = command.Subcommands.FirstOrDefault(c => c.Name == name);
            if (command is null)
            {
                return;
            }
        }

        command.WithExamples(examples);
    }
}
