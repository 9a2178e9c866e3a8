using System.Globalization;
using VideoStreams.Producer.Sources;
using VideoStreams.Producer.Spool;

namespace VideoStreams.Agent.Configuration;

/// <summary>
/// Checks a parsed device file field by field and applies the defaults. Only what the file says is checked here;
/// whether a camera or file exists is checked when the agent starts (<see cref="DevicePreflight"/>), so that every
/// example in devices/ validates on any machine.
/// </summary>
internal static class DeviceValidator
{
    public const int MaxFleet = 1000;
    private static readonly string[] Profiles = ["baseline", "main", "high"];
    private static readonly string[] Presets = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"];

    public static IReadOnlyList<DeviceSettings> Validate(DeviceFile device, string file, Uri? serverOverride)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(file)) ?? Directory.GetCurrentDirectory();
        var name = Required(device.Name, file, "name");
        CheckKvsName(name, file, "name", "device name", 128);
        var stream = device.Stream ?? throw AgentException.Config(file, "stream", "missing; give at least { \"name\": \"…\" }");
        var streamName = Required(stream.Name, file, "stream.name");
        CheckKvsName(streamName, file, "stream.name", "stream name", 256);
        var retention = stream.RetentionHours ?? 24;
        if (retention is < 0 or > 87600)
        {
            throw AgentException.Config(file, "stream.retentionHours", $"{retention} is out of range (0 to 87600 hours; 0 keeps nothing)");
        }

        var mediaType = stream.MediaType ?? "video/h264";
        if (!mediaType.StartsWith("video/h264", StringComparison.Ordinal))
        {
            throw AgentException.Config(file, "stream.mediaType", $"\"{mediaType}\" is not supported; the agent sends H.264 (video/h264)");
        }

        var count = device.Count ?? 1;
        if (count is < 1 or > MaxFleet)
        {
            throw AgentException.Config(file, "count", $"{count} is out of range (1 to {MaxFleet})");
        }

        if (count > 1)
        {
            // The longest suffix ("-1000") must still give valid names.
            CheckKvsName(name + "-" + count.ToString("000", CultureInfo.InvariantCulture), file, "name", "device name (with the fleet suffix)", 128);
            CheckKvsName(streamName + "-" + count.ToString("000", CultureInfo.InvariantCulture), file, "stream.name", "stream name (with the fleet suffix)", 256);
        }

        var (serverUrl, serverField) = ServerUrl(device.Server, file, serverOverride);
        var startup = device.Server?.StartupTimeoutSeconds ?? 30;
        if (!double.IsFinite(startup) || startup is <= 0 or > 3600)
        {
            throw AgentException.Config(file, "server.startupTimeoutSeconds", $"{Num(startup)} is out of range (more than 0, at most 3600 seconds)");
        }

        CredentialsReference.CheckForm(device.Server?.Credentials, file);
        var region = device.Server?.Region ?? "us-east-1";
        if (region.Length == 0 || !region.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            throw AgentException.Config(file, "server.region", $"\"{region}\" is not a region name (e.g. us-east-1)");
        }

        var fragmentMs = device.FragmentDurationMs ?? 2000;
        if (fragmentMs is < 1000 or > 10000)
        {
            throw AgentException.Config(file, "fragmentDurationMs", $"{fragmentMs} is out of range (1000 to 10000 ms; KVS fragments are 1–10 s)");
        }

        var source = Source(device.Source, file, folder);
        var encoder = Encoder(device.Encoder, file);
        var spool = device.Spool ?? new SpoolSection();
        var spoolPath = Path.GetFullPath(Path.Combine(folder, spool.Path ?? Path.Combine("spool", name)));
        var maxBytes = spool.MaxBytes ?? 1L << 30;
        if (maxBytes < 1L << 20)
        {
            throw AgentException.Config(file, "spool.maxBytes", $"{maxBytes} is too small (at least 1048576, 1 MiB; the default is 1 GiB)");
        }

        var maxAge = spool.MaxAgeHours ?? 24;
        if (!double.IsFinite(maxAge) || maxAge is <= 0 or > 87600)
        {
            throw AgentException.Config(file, "spool.maxAgeHours", $"{Num(maxAge)} is out of range (more than 0, at most 87600 hours)");
        }

        var sync = (spool.Sync ?? "everyFragment") switch
        {
            "everyFragment" => SpoolSyncMode.EveryFragment,
            "interval" => SpoolSyncMode.Interval,
            "none" => SpoolSyncMode.None,
            var other => throw AgentException.Config(file, "spool.sync", $"unknown sync mode \"{other}\" (expected everyFragment, interval or none)"),
        };
        var stall = Seconds(device.Upload?.StallTimeoutSeconds ?? 10, file, "upload.stallTimeoutSeconds", 1, 600);
        var stop = Seconds(device.Upload?.StopTimeoutSeconds ?? 5, file, "upload.stopTimeoutSeconds", 0, 600);

        var template = new DeviceSettings
        {
            File = file,
            Name = name,
            StreamName = streamName,
            CreateStream = stream.Create ?? true,
            RetentionHours = retention,
            MediaType = mediaType,
            ServerUrl = serverUrl,
            ServerUrlField = serverField,
            CredentialsReference = device.Server?.Credentials,
            Region = region,
            StartupTimeout = TimeSpan.FromSeconds(startup),
            Source = source,
            Encoder = encoder,
            FragmentDuration = TimeSpan.FromMilliseconds(fragmentMs),
            Spool = new SpoolOptions { Directory = spoolPath, Name = streamName, MaxBytes = maxBytes, MaxAge = TimeSpan.FromHours(maxAge), SyncMode = sync },
            StallTimeout = stall,
            StopTimeout = stop,
            FramesAsCaptured = device.Upload?.FramesAsCaptured ?? DeviceSettings.DefaultFramesAsCaptured,
        };
        if (count == 1)
        {
            return [template];
        }

        var fleet = new List<DeviceSettings>(count);
        for (var i = 1; i <= count; i++)
        {
            var suffix = "-" + i.ToString("000", CultureInfo.InvariantCulture);
            fleet.Add(template with
            {
                Name = name + suffix,
                StreamName = streamName + suffix,
                Spool = template.Spool with { Directory = spoolPath + suffix, Name = streamName + suffix },
            });
        }

        return fleet;
    }

    private static (Uri Url, string Field) ServerUrl(ServerSection? server, string file, Uri? serverOverride)
    {
        if (serverOverride is not null)
        {
            return (serverOverride, "--server");
        }

        var text = server?.Url ?? throw AgentException.Config(file, "server.url", "missing (e.g. \"http://127.0.0.1:5080\"), or give --server URL");
        return (ParseServerUrl(text) ?? throw AgentException.Config(file, "server.url", $"\"{text}\" is not an http:// or https:// URL"), "server.url");
    }

    /// <summary>An absolute http(s) URL with a trailing slash, or null.</summary>
    public static Uri? ParseServerUrl(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(url.Host) || !string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment))
        {
            return null;
        }

        return url.AbsolutePath.EndsWith('/') ? url : new Uri(url + "/");
    }

    private static VideoSourceSpec Source(SourceSection? source, string file, string folder)
    {
        if (source is null)
        {
            throw AgentException.Config(file, "source", "missing; e.g. { \"type\": \"synthetic\" }");
        }

        var type = Required(source.Type, file, "source.type") switch
        {
            "synthetic" => VideoSourceType.Synthetic,
            "file" => VideoSourceType.File,
            "camera" => VideoSourceType.Camera,
            "url" => VideoSourceType.Url,
            var other => throw AgentException.Config(file, "source.type", $"unknown source type \"{other}\" (expected synthetic, file, camera or url)"),
        };
        var mode = (source.Mode ?? "passthrough") switch
        {
            "passthrough" => SourceMode.Passthrough,
            "encode" => SourceMode.Encode,
            var other => throw AgentException.Config(file, "source.mode", $"unknown mode \"{other}\" (expected passthrough or encode)"),
        };
        if (source.Mode is not null && type is (VideoSourceType.Synthetic or VideoSourceType.Camera) && mode == SourceMode.Passthrough)
        {
            throw AgentException.Config(file, "source.mode", $"a {source.Type} source always encodes; remove \"mode\"");
        }

        string? path = null;
        Uri? url = null;
        switch (type)
        {
            case VideoSourceType.File:
                path = Path.GetFullPath(Path.Combine(folder, Required(source.Path, file, "source.path")));
                break;
            case VideoSourceType.Camera:
                path = Required(source.Path, file, "source.path");
                if (!path.All(char.IsAsciiDigit) && !path.StartsWith('/'))
                {
                    throw AgentException.Config(file, "source.path", $"\"{path}\" is neither a device path (/dev/video0) nor an index (0)");
                }

                break;
            case VideoSourceType.Url:
                var text = Required(source.Url, file, "source.url");
                if (!Uri.TryCreate(text, UriKind.Absolute, out url) || url.Scheme is not ("rtsp" or "rtsps" or "http" or "https") || string.IsNullOrEmpty(url.Host))
                {
                    throw AgentException.Config(file, "source.url", $"\"{text}\" is not an rtsp://, http:// or https:// URL");
                }

                break;
        }

        if (type == VideoSourceType.Synthetic && (source.Path is not null || source.Url is not null))
        {
            throw AgentException.Config(file, source.Path is not null ? "source.path" : "source.url", "a synthetic source has no path or URL");
        }

        var width = source.Width ?? 1280;
        var height = source.Height ?? 720;
        if (width is < 16 or > 7680 || width % 2 != 0)
        {
            throw AgentException.Config(file, "source.width", $"{width} is out of range (an even number from 16 to 7680)");
        }

        if (height is < 16 or > 4320 || height % 2 != 0)
        {
            throw AgentException.Config(file, "source.height", $"{height} is out of range (an even number from 16 to 4320)");
        }

        var rate = source.FrameRate ?? 30;
        if (!double.IsFinite(rate) || rate is <= 0 or > 240)
        {
            throw AgentException.Config(file, "source.frameRate", $"{Num(rate)} is out of range (more than 0, at most 240)");
        }

        return new VideoSourceSpec { Type = type, Path = path, Url = url, Loop = source.Loop ?? true, Mode = mode, Width = width, Height = height, FrameRate = rate };
    }

    private static EncoderSettings Encoder(EncoderSection? encoder, string file)
    {
        encoder ??= new EncoderSection();
        var bitrate = encoder.BitrateKbps ?? 2000;
        if (bitrate is < 50 or > 100_000)
        {
            throw AgentException.Config(file, "encoder.bitrateKbps", $"{bitrate} is out of range (50 to 100000 kbit/s)");
        }

        var profile = encoder.Profile ?? "main";
        if (!Profiles.Contains(profile, StringComparer.Ordinal))
        {
            throw AgentException.Config(file, "encoder.profile", $"unknown profile \"{profile}\" (expected baseline, main or high)");
        }

        var preset = encoder.Preset ?? "veryfast";
        if (!Presets.Contains(preset, StringComparer.Ordinal))
        {
            throw AgentException.Config(file, "encoder.preset", $"unknown x264 preset \"{preset}\" (expected one of {string.Join(", ", Presets)})");
        }

        if (encoder.GopFrames is < 1 or > 3000)
        {
            throw AgentException.Config(file, "encoder.gopFrames", $"{encoder.GopFrames} is out of range (1 to 3000 frames, or null for one GOP per fragment)");
        }

        if (encoder.FfmpegPath is { Length: 0 })
        {
            throw AgentException.Config(file, "encoder.ffmpegPath", "is empty; leave it out to use ffmpeg from the PATH");
        }

        return new EncoderSettings { BitrateKbps = bitrate, Profile = profile, Preset = preset, GopFrames = encoder.GopFrames, FfmpegPath = encoder.FfmpegPath ?? "ffmpeg" };
    }

    private static string Required(string? value, string file, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw AgentException.Config(file, field, "missing") : value;

    private static void CheckKvsName(string value, string file, string field, string what, int maxLength)
    {
        if (value.Length > maxLength)
        {
            throw AgentException.Config(file, field, $"the {what} is {value.Length} characters long (at most {maxLength})");
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '.' or '-'))
            {
                throw AgentException.Config(file, field, $"\"{value}\" is not a valid {what} (letters, digits, '_', '.', '-' only)");
            }
        }
    }

    private static TimeSpan Seconds(double value, string file, string field, double min, double max)
    {
        if (!double.IsFinite(value) || value < min || value > max)
        {
            throw AgentException.Config(file, field, $"{Num(value)} is out of range ({Num(min)} to {Num(max)} seconds)");
        }

        return TimeSpan.FromSeconds(value);
    }

    private static string Num(double value) => value.ToString(CultureInfo.InvariantCulture);
}
