using VideoStreams.Media;

namespace VideoStreams.Cli;

/// <summary>Exit codes and the one-line error policy: a user sees what went wrong, never a stack trace.</summary>
internal static class CliErrors
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int BadInput = 2;

    /// <summary>The server has no such stream, or nothing in the range asked for.</summary>
    public const int NotFound = 3;

    /// <summary>The server refused the credentials (401, 403).</summary>
    public const int Auth = 4;

    /// <summary>The server failed (5xx) or could not be reached.</summary>
    public const int Server = 5;

    public const int Internal = 70;

    /// <summary>Ctrl-C (SIGINT) ended a download before it was complete (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;

    /// <summary>Runs a command, turning any escaping exception into one line on stderr and an exit code.</summary>
    public static async Task<int> RunAsync(Func<Task<int>> command)
    {
        try
        {
            return await command();
        }
        catch (Exception e)
        {
            return Report(e);
        }
    }

    /// <summary>Bad media, reported with the file it came from: a batch job runs over many.</summary>
    public static CliException InvalidMedia(FileInfo input, MediaFormatException e) =>
        // Refused at its first byte: most likely another format (an MP4, say), which deserves saying in plain words.
        new(BadInput, $"{input}: {(e.Offset == 0 ? "not a Matroska file: " : "")}invalid media ({e.Error}): {e.Message}", e);

    public static int Report(Exception e)
    {
        var (code, message) = e switch
        {
            CliException c => (c.ExitCode, c.Message),
            MediaFormatException m => (BadInput, $"invalid media ({m.Error}): {m.Message}"),
            VideoStreams.Storage.CorruptSegmentException c => (Failure, $"corrupt data: {c.Message}"),
            VideoStreams.Storage.Encryption.MasterKeyUnavailableException k => (Failure, k.Message),
            FileNotFoundException f => (BadInput, $"no such file: {f.FileName ?? f.Message}"),
            DirectoryNotFoundException d => (BadInput, d.Message),
            UnauthorizedAccessException u => (Failure, u.Message),
            IOException io => (Failure, io.Message),
            OperationCanceledException => (Interrupted, "interrupted"),
            _ => (Internal, $"internal error ({e.GetType().Name}): {e.Message}"),
        };
        Console.Error.WriteLine($"vs: {OneLine(message)}");
        return code;
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
