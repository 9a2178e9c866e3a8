using System.Text.Json;
using System.Text.Json.Nodes;

namespace VideoStreams.Agent.Tests.EndToEnd;

/// <summary>
/// A vs-agent device definition (the JSON of docs/PRODUCER.md and devices/) written into a test folder. The spool
/// path is relative, so it lives next to the device file, as the agent resolves relative paths from there.
/// </summary>
internal sealed record DeviceFile
{
    public required string Name { get; init; }

    public required Uri ServerUrl { get; init; }

    /// <summary>The <c>source</c> object, e.g. <see cref="Synthetic"/> or <see cref="FileSource"/>.</summary>
    public required JsonObject Source { get; init; }

    public int BitrateKbps { get; init; } = 2000;

    public int? GopFrames { get; init; }

    public int FragmentDurationMs { get; init; } = 2000;

    public long SpoolMaxBytes { get; init; } = 1L << 30;

    public int StallTimeoutSeconds { get; init; } = 10;

    public int RetentionHours { get; init; } = 24;

    /// <summary><c>upload.framesAsCaptured</c>; null leaves it out (the agent's default).</summary>
    public bool? FramesAsCaptured { get; init; }

    /// <summary>The spool folder the agent uses for this device, relative to the device file.</summary>
    public string SpoolPath => "spool/" + Name;

    public static JsonObject Synthetic(int width, int height, double frameRate) => new()
    {
        ["type"] = "synthetic",
        ["width"] = width,
        ["height"] = height,
        ["frameRate"] = frameRate,
    };

    public static JsonObject FileSource(string path, bool loop, string mode) => new()
    {
        ["type"] = "file",
        ["path"] = path,
        ["loop"] = loop,
        ["mode"] = mode,
    };

    /// <summary>Writes <c>NAME.json</c> into <paramref name="folder"/> and returns its path.</summary>
    public string WriteTo(string folder)
    {
        var json = new JsonObject
        {
            ["name"] = Name,
            ["stream"] = new JsonObject
            {
                ["name"] = Name,
                ["create"] = true,
                ["retentionHours"] = RetentionHours,
                ["mediaType"] = "video/h264",
            },
            ["server"] = new JsonObject
            {
                ["url"] = ServerUrl.ToString().TrimEnd('/'),
                ["credentials"] = null,
                ["startupTimeoutSeconds"] = 60,
            },
            ["source"] = JsonNode.Parse(Source.ToJsonString()),
            ["encoder"] = new JsonObject
            {
                ["bitrateKbps"] = BitrateKbps,
                ["profile"] = "main",
                ["preset"] = "veryfast",
                ["gopFrames"] = GopFrames,
            },
            ["fragmentDurationMs"] = FragmentDurationMs,
            ["spool"] = new JsonObject
            {
                ["path"] = SpoolPath,
                ["maxBytes"] = SpoolMaxBytes,
                ["maxAgeHours"] = 24,
                ["sync"] = "everyFragment",
            },
            ["upload"] = FramesAsCaptured is { } asCaptured
                ? new JsonObject { ["stallTimeoutSeconds"] = StallTimeoutSeconds, ["framesAsCaptured"] = asCaptured }
                : new JsonObject { ["stallTimeoutSeconds"] = StallTimeoutSeconds },
            ["count"] = 1,
        };
        var path = Path.Combine(folder, Name + ".json");
        File.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }
}
