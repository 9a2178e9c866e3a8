namespace VideoStreams.Cli.Remote;

/// <summary>
/// The profile file, <c>$XDG_CONFIG_HOME/videostreams/config</c> (default <c>~/.config/videostreams/config</c>, or the
/// file named by <c>VIDEOSTREAMS_CONFIG</c>): INI sections, one per profile, as the AWS CLI's credentials file.
/// <c>[default]</c> and <c>[name]</c> (or <c>[profile name]</c>); keys <c>url</c>, <c>region</c>,
/// <c>aws_access_key_id</c>, <c>aws_secret_access_key</c>, <c>aws_session_token</c>; <c>#</c> and <c>;</c> start comments.
/// </summary>
internal static class ProfileFile
{
    /// <summary>Where the file is looked for (it need not exist).</summary>
    public static string DefaultPath()
    {
        if (Environment.GetEnvironmentVariable("VIDEOSTREAMS_CONFIG") is { Length: > 0 } explicitPath)
        {
            return explicitPath;
        }

        var configHome = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(configHome, "videostreams", "config");
    }

    /// <summary>Every profile of the file, by name; empty when there is no file.</summary>
    public static Dictionary<string, Dictionary<string, string>> Read(string path)
    {
        var profiles = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return profiles;
        }

        Dictionary<string, string>? current = null;
        var number = 0;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[')
            {
                if (line[^1] != ']')
                {
                    throw new CliException(CliErrors.BadInput, $"{path}:{number}: a section header must end with ']'");
                }

                var name = line[1..^1].Trim();
                if (name.StartsWith("profile ", StringComparison.Ordinal))
                {
                    name = name["profile ".Length..].Trim();
                }

                if (!profiles.TryGetValue(name, out current))
                {
                    current = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                    profiles[name] = current;
                }

                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || current is null)
            {
                throw new CliException(CliErrors.BadInput, $"{path}:{number}: expected 'key = value' inside a [profile] section");
            }

            current[line[..equals].Trim()] = line[(equals + 1)..].Trim();
        }

        return profiles;
    }
}
