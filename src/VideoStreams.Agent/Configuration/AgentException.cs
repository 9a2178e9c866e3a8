namespace VideoStreams.Agent.Configuration;

/// <summary>Exit codes of vs-agent (docs/AGENT.md).</summary>
internal static class ExitCodes
{
    /// <summary>Stopped gracefully (SIGTERM/SIGINT), or every device finished.</summary>
    public const int Ok = 0;

    /// <summary>An unexpected internal error.</summary>
    public const int Internal = 1;

    /// <summary>Bad configuration: the command line, a device file, or a source that cannot be opened at start.</summary>
    public const int BadConfiguration = 2;

    /// <summary>The server refused, or could not be reached at start (or refused the upload for good later).</summary>
    public const int ServerRefused = 3;
}

/// <summary>
/// Why the agent cannot run a device: reported as one line, <c>vs-agent: FILE: FIELD: MESSAGE</c>, and an exit code.
/// </summary>
internal sealed class AgentException : Exception
{
    public AgentException(int exitCode, string? file, string? field, string message)
        : base(message)
    {
        ExitCode = exitCode;
        File = file;
        Field = field;
    }

    public AgentException()
    {
    }

    public AgentException(string message)
        : base(message)
    {
    }

    public AgentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The process exit code this problem gives.</summary>
    public int ExitCode { get; } = ExitCodes.BadConfiguration;

    /// <summary>The device file as the user named it (relative paths stay relative), or null for the command line.</summary>
    public string? File { get; }

    /// <summary>The JSON field (e.g. <c>source.type</c>) or command-line option at fault, or null.</summary>
    public string? Field { get; }

    /// <summary>The one line printed on stderr.</summary>
    public string OneLine()
    {
        var text = "vs-agent: ";
        if (File is not null)
        {
            text += File + ": ";
        }

        if (Field is not null)
        {
            text += Field + ": ";
        }

        return (text + Message).ReplaceLineEndings(" ");
    }

    public static AgentException Config(string file, string field, string message) => new(ExitCodes.BadConfiguration, file, field, message);

    public static AgentException Server(string file, string field, string message) => new(ExitCodes.ServerRefused, file, field, message);
}
