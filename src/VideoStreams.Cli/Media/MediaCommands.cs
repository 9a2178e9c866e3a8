using System.CommandLine;

namespace VideoStreams.Cli.Media;

/// <summary><c>vs media</c>: offline tools over media files, exercising the media library end to end.</summary>
internal static class MediaCommands
{
    public static Command Create() => new("media", "Offline tools for media files: probe, remux.")
    {
        ProbeCommand.Create(),
        RemuxCommand.Create(),
    };
}
