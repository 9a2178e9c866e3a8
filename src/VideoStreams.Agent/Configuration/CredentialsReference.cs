using System.Text.Json;
using VideoStreams.Producer.Upload;

namespace VideoStreams.Agent.Configuration;

/// <summary>
/// <c>server.credentials</c>: null (none), <c>env:PREFIX</c> (PREFIX_ACCESS_KEY_ID, PREFIX_SECRET_ACCESS_KEY and an
/// optional PREFIX_SESSION_TOKEN) or <c>file:PATH</c> (JSON with accessKeyId, secretAccessKey, sessionToken). The
/// secret itself never appears in a device file, so device files can be committed.
/// </summary>
internal static class CredentialsReference
{
    private const string Field = "server.credentials";

    /// <summary>Checks the form of a reference (from the file alone; the secret is read by <see cref="Resolve"/>).</summary>
    public static void CheckForm(string? reference, string file)
    {
        if (reference is null || (reference.StartsWith("env:", StringComparison.Ordinal) && reference.Length > 4) || (reference.StartsWith("file:", StringComparison.Ordinal) && reference.Length > 5))
        {
            return;
        }

        throw AgentException.Config(file, Field, $"\"{reference}\" is not a credentials reference (expected null, \"env:PREFIX\" or \"file:PATH\")");
    }

    /// <summary>Reads the credentials a reference points at (when the agent starts).</summary>
    public static KvsCredentials? Resolve(string? reference, string file, string folder)
    {
        CheckForm(reference, file);
        if (reference is null)
        {
            return null;
        }

        if (reference.StartsWith("env:", StringComparison.Ordinal) && reference.Length > 4)
        {
            var prefix = reference[4..];
            var id = Environment.GetEnvironmentVariable(prefix + "_ACCESS_KEY_ID");
            var secret = Environment.GetEnvironmentVariable(prefix + "_SECRET_ACCESS_KEY");
            if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(secret))
            {
                throw AgentException.Config(file, Field, $"{prefix}_ACCESS_KEY_ID and {prefix}_SECRET_ACCESS_KEY must both be set in the environment");
            }

            return new KvsCredentials(id, secret, Environment.GetEnvironmentVariable(prefix + "_SESSION_TOKEN") is { Length: > 0 } token ? token : null);
        }

        if (reference.StartsWith("file:", StringComparison.Ordinal) && reference.Length > 5)
        {
            var path = Path.GetFullPath(Path.Combine(folder, reference[5..]));
            CredentialsFile? credentials;
            try
            {
                credentials = JsonSerializer.Deserialize(File.ReadAllBytes(path), DeviceJson.Default.CredentialsFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw AgentException.Config(file, Field, $"cannot read {path}: {e.Message}");
            }
            catch (JsonException e)
            {
                throw AgentException.Config(file, Field, $"{path} is not a credentials file ({{\"accessKeyId\": …, \"secretAccessKey\": …}}): {e.Message.Split(" Path:", 2)[0]}");
            }

            if (string.IsNullOrEmpty(credentials?.AccessKeyId) || string.IsNullOrEmpty(credentials.SecretAccessKey))
            {
                throw AgentException.Config(file, Field, $"{path} needs accessKeyId and secretAccessKey");
            }

            return new KvsCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken);
        }

        throw AgentException.Config(file, Field, $"\"{reference}\" is not a credentials reference (expected null, \"env:PREFIX\" or \"file:PATH\")");
    }
}
