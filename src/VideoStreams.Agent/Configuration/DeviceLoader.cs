using System.Text.Json;

namespace VideoStreams.Agent.Configuration;

/// <summary>
/// Reads the device files named on the command line (a folder means every <c>*.json</c> in it, in name order), parses
/// and validates each, and expands fleets (<c>count</c> &gt; 1) into their devices. The first problem ends the load
/// with an <see cref="AgentException"/> naming the file and the field.
/// </summary>
internal static class DeviceLoader
{
    public static IReadOnlyList<DeviceSettings> Load(IReadOnlyList<string> paths, Uri? serverOverride)
    {
        var devices = new List<DeviceSettings>();
        foreach (var file in Expand(paths))
        {
            devices.AddRange(DeviceValidator.Validate(Parse(file), file, serverOverride));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var spools = new HashSet<string>(StringComparer.Ordinal);
        foreach (var device in devices)
        {
            if (!names.Add(device.StreamName))
            {
                throw AgentException.Config(device.File, "stream.name", $"stream \"{device.StreamName}\" is used by another device given to this agent; each device needs its own stream");
            }

            if (!spools.Add(device.Spool.Directory))
            {
                throw AgentException.Config(device.File, "spool.path", $"{device.Spool.Directory} is the spool of another device given to this agent; each device needs its own");
            }
        }

        return devices;
    }

    /// <summary>The device files: files as given, folders as their <c>*.json</c> files.</summary>
    public static IReadOnlyList<string> Expand(IReadOnlyList<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var inFolder = Directory.GetFiles(path, "*.json").Order(StringComparer.Ordinal).ToList();
                if (inFolder.Count == 0)
                {
                    throw new AgentException(ExitCodes.BadConfiguration, path, null, "no *.json device files in this folder");
                }

                files.AddRange(inFolder);
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else if (path.StartsWith('-'))
            {
                throw new AgentException(ExitCodes.BadConfiguration, null, null, $"unknown option {path} (see vs-agent --help)");
            }
            else
            {
                throw new AgentException(ExitCodes.BadConfiguration, path, null, "no such device file or folder");
            }
        }

        return files;
    }

    /// <summary>Parses one device file; malformed JSON, a wrong type or an unknown field is named with its line and column.</summary>
    public static DeviceFile Parse(string file)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AgentException(ExitCodes.BadConfiguration, file, null, $"cannot read: {e.Message}");
        }

        try
        {
            // Editors on Windows like to start UTF-8 with a byte order mark; the reader does not skip it.
            var json = bytes.AsSpan();
            if (json.StartsWith("\uFEFF"u8))
            {
                json = json[3..];
            }

            return JsonSerializer.Deserialize(json, DeviceJson.Default.DeviceFile)
                ?? throw new AgentException(ExitCodes.BadConfiguration, file, null, "the device definition is null; expected a JSON object");
        }
        catch (JsonException e)
        {
            throw JsonProblem(file, e);
        }
    }

    /// <summary>Turns the serializer's exception into a message that names the field and where it is.</summary>
    public static AgentException JsonProblem(string file, JsonException e)
    {
        var where = e.LineNumber is { } line ? $" (line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1})" : "";
        var field = FieldOf(e.Path);
        var message = e.Message;
        // The serializer's messages name .NET types; say it in the device file's terms.
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            var unknown = message.Split('\'') is { Length: > 2 } parts ? parts[1] : "?";
            field = field is null ? unknown : field.EndsWith(unknown, StringComparison.Ordinal) ? field : field + "." + unknown;
            message = "unknown field (check its spelling against docs/AGENT.md)";
        }
        else if (message.Contains("could not be converted to", StringComparison.Ordinal))
        {
            message = $"wrong type: expected {Expected(message)}";
        }
        else if (e.InnerException?.Message is { } inner && e.Path is null)
        {
            message = $"malformed JSON: {inner.TrimEnd('.')}";
        }
        else
        {
            message = $"malformed JSON: {message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].TrimEnd('.')}";
        }

        return new AgentException(ExitCodes.BadConfiguration, file, field, message + where);
    }

    private static string? FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return null;
        }

        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }

    private static string Expected(string message) => message switch
    {
        _ when message.Contains("System.String", StringComparison.Ordinal) => "a string",
        _ when message.Contains("System.Boolean", StringComparison.Ordinal) => "true or false",
        _ when message.Contains("System.Int", StringComparison.Ordinal) => "a whole number",
        _ when message.Contains("System.Double", StringComparison.Ordinal) => "a number",
        _ => "an object",
    };
}
