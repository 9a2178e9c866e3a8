namespace VideoStreams.Cli;

/// <summary>An error the user caused or can fix (a missing file, a folder in the way): its message is the whole story.</summary>
internal sealed class CliException(int exitCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}
