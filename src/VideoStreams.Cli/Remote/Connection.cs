using System.CommandLine;
using VideoStreams.Kvs;

namespace VideoStreams.Cli.Remote;

/// <summary>
/// AWS-style keys and where they came from (<c>environment</c> or <c>profile NAME</c>). When found, every request vs
/// sends is signed with them (<see cref="SigningHandler"/>); the server does not verify signatures yet
/// (docs/SERVER.md). <see cref="AwsCredentials.ToString"/> never prints the secret.
/// </summary>
internal sealed record Credentials(string AccessKeyId, string SecretAccessKey, string? SessionToken, string Source)
    : AwsCredentials(AccessKeyId, SecretAccessKey, SessionToken);

/// <summary>Where the server is and who we are: resolved from flags, then environment, then the profile file.</summary>
internal sealed record Connection(Uri Server, string Region, string Profile, string ServerSource, Credentials? Credentials)
{
    public const string DefaultServer = "http://127.0.0.1:5080";
    public const string DefaultRegion = "us-east-1";

    /// <summary>How requests are signed, as <c>vs config</c> shows it (<c>SigV4 kinesisvideo us-east-1</c>), or null without credentials.</summary>
    public string? Signing => Credentials is null ? null : $"SigV4 {SigV4Signer.Service} {Region}";

    /// <summary>
    /// Resolution order for each value: the flag; the profile when <c>--profile</c> names one explicitly; the
    /// environment (<c>VIDEOSTREAMS_URL</c>, <c>AWS_REGION</c>, <c>AWS_ACCESS_KEY_ID</c>…); the <c>default</c> profile
    /// (or <c>VIDEOSTREAMS_PROFILE</c>'s); the built-in default. As with the AWS CLI, an explicit profile beats the environment.
    /// </summary>
    public static Connection Resolve(ParseResult parse)
    {
        var explicitProfile = parse.GetValue(GlobalOptions.Profile);
        var profileName = explicitProfile ?? Env("VIDEOSTREAMS_PROFILE") ?? "default";
        var path = ProfileFile.DefaultPath();
        var profiles = ProfileFile.Read(path);
        if (!profiles.TryGetValue(profileName, out var profile))
        {
            if (explicitProfile is not null || Env("VIDEOSTREAMS_PROFILE") is not null)
            {
                throw new CliException(CliErrors.BadInput, $"no profile '{profileName}' in {path}");
            }

            profile = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        }

        var fromProfile = "profile " + profileName;
        (string? Value, string Source) Pick(string? flag, string flagName, string? env, string envName, string key)
        {
            if (flag is not null)
            {
                return (flag, flagName);
            }

            profile.TryGetValue(key, out var fileValue);
            fileValue = string.IsNullOrEmpty(fileValue) ? null : fileValue;
            if (explicitProfile is not null && fileValue is not null)
            {
                return (fileValue, fromProfile);
            }

            if (env is not null)
            {
                return (env, envName);
            }

            return (fileValue, fromProfile);
        }

        var (url, urlSource) = Pick(parse.GetValue(GlobalOptions.Server), "--server", Env("VIDEOSTREAMS_URL"), "VIDEOSTREAMS_URL", "url");
        var (region, _) = Pick(parse.GetValue(GlobalOptions.Region), "--region", Env("AWS_REGION") ?? Env("AWS_DEFAULT_REGION"), "AWS_REGION", "region");
        var server = ParseServer(url ?? DefaultServer, url is null ? "default" : urlSource);

        Credentials? credentials = null;
        var (keyId, keySource) = Pick(null, "", Env("AWS_ACCESS_KEY_ID"), "environment", "aws_access_key_id");
        if (keyId is not null)
        {
            // The key id, secret and token travel together: never a secret from one place and an id from another.
            var fromEnv = keySource == "environment";
            var secret = fromEnv ? Env("AWS_SECRET_ACCESS_KEY") : profile.GetValueOrDefault("aws_secret_access_key");
            var token = fromEnv ? Env("AWS_SESSION_TOKEN") : profile.GetValueOrDefault("aws_session_token");
            if (string.IsNullOrEmpty(secret))
            {
                throw new CliException(CliErrors.BadInput, $"an access key id without a secret access key ({(fromEnv ? "set AWS_SECRET_ACCESS_KEY" : "add aws_secret_access_key to " + fromProfile)})");
            }

            credentials = new Credentials(keyId, secret, string.IsNullOrEmpty(token) ? null : token, keySource);
        }

        return new Connection(server, region ?? DefaultRegion, profileName, url is null ? "default" : urlSource, credentials);
    }

    private static Uri ParseServer(string text, string source)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new CliException(CliErrors.BadInput, $"server address '{text}' (from {source}) is not an http:// or https:// URL");
        }

        // Paths are appended to the base: it must end with '/' (a server behind a proxy may live under a path).
        return text.EndsWith('/') ? uri : new Uri(text + "/");
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}

/// <summary>The options every server command takes.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> Server = new("--server", "-s")
    {
        Description = "The server's base URL (else VIDEOSTREAMS_URL, the profile's url, http://127.0.0.1:5080).",
        HelpName = "URL",
    };

    public static readonly Option<string?> Region = new("--region")
    {
        Description = "The region requests are signed for (else AWS_REGION, the profile's region, us-east-1).",
    };

    public static readonly Option<string?> Profile = new("--profile")
    {
        Description = "A profile of ~/.config/videostreams/config (else VIDEOSTREAMS_PROFILE, 'default').",
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print JSON for scripts (a stable shape, see docs/CLI.md) instead of tables.",
    };

    /// <summary>Adds the connection options and <c>--json</c> to a command that talks to the server.</summary>
    public static T WithConnection<T>(this T command, bool json = true)
        where T : Command
    {
        command.Options.Add(Server);
        command.Options.Add(Region);
        command.Options.Add(Profile);
        if (json)
        {
            command.Options.Add(Json);
        }

        return command;
    }
}
