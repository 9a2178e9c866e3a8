using System.Text.Json;
using Spectre.Console;

namespace VideoStreams.Cli.Remote;

/// <summary>
/// Where results go: tables for people (colours only when stdout is a terminal and NO_COLOR is unset), JSON for
/// scripts; progress and notes on stderr, so stdout stays clean when it is piped.
/// </summary>
internal static class Output
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true };

    /// <summary>stdout as Spectre sees it; when redirected, no ANSI at all and lines as wide as the content.</summary>
    public static IAnsiConsole Stdout { get; } = Create(Console.Out, Console.IsOutputRedirected);

    /// <summary>stderr for progress bars: only used when stderr is a terminal.</summary>
    public static IAnsiConsole Stderr { get; } = Create(Console.Error, Console.IsErrorRedirected);

    public static bool StderrIsTerminal => !Console.IsErrorRedirected;

    private static bool NoColor => Environment.GetEnvironmentVariable("NO_COLOR") is { Length: > 0 };

    /// <summary>Writes one JSON document to stdout, indented, with a final newline.</summary>
    public static void Json(Action<Utf8JsonWriter> write)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var writer = new Utf8JsonWriter(stdout, Indented))
        {
            write(writer);
        }

        stdout.Write("\n"u8);
    }

    /// <summary>A table in the house style; headers bold on a terminal.</summary>
    public static Table Table(params string[] columns)
    {
        var table = new Table().Border(Console.IsOutputRedirected ? TableBorder.Simple : TableBorder.Rounded);
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(new Markup($"[bold]{Markup.Escape(column)}[/]")).NoWrap());
        }

        return table;
    }

    /// <summary>A plain cell: text is never read as markup.</summary>
    public static Text Cell(string? text) => new(text ?? "");

    /// <summary>Writes a line to stdout (plain text, no markup).</summary>
    public static void Line(string text) => Console.Out.WriteLine(text);

    /// <summary>A note for people, on stderr (not in JSON, not in piped data).</summary>
    public static void Note(string text) => Console.Error.WriteLine(text);

    private static IAnsiConsole Create(TextWriter writer, bool redirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected || NoColor ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
            Out = new AnsiConsoleOutput(writer),
        });
        if (redirected)
        {
            // A pipe has no width: do not wrap or cut tables at the 80 columns Spectre assumes.
            console.Profile.Width = 400;
        }

        return console;
    }
}
