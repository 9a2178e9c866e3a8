using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using VideoStreams.TestSupport;

namespace VideoStreams.Cli.Tests;

/// <summary>Runs the real <c>vs</c> the way a user does: <c>dotnet vs.dll args…</c>, a separate process.</summary>
internal static partial class Vs
{
    /// <summary>
    /// The CLI as its own build left it (src/VideoStreams.Cli/bin/CONFIG/net10.0/vs.dll, built by the project
    /// reference). Not the copy in the test output: the tests also reference the ASP.NET server, whose shared
    /// framework supplies assemblies (logging abstractions) that vs, a console app, must bring itself.
    /// </summary>
    public static string Dll { get; } = Locate();

    private static string Locate()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory);
        var (framework, configuration, project) = (output.Name, output.Parent!.Name, output.Parent.Parent!.Parent!);
        var dll = Path.Combine(project.Parent!.Parent!.FullName, "src", "VideoStreams.Cli", "bin", configuration, framework, "vs.dll");
        return File.Exists(dll) ? dll : Path.Combine(AppContext.BaseDirectory, "vs.dll");
    }

    private static readonly ConcurrentDictionary<string, Lazy<Task<ToolResult>>> Runs = new();

    public static Task<ToolResult> RunAsync(params string[] arguments) =>
        ToolRunner.RunAsync("dotnet", [Dll, .. arguments], TimeSpan.FromMinutes(1));

    /// <summary>Runs <c>vs</c> and fails the test, with both streams, unless it exits 0 with nothing on stderr.</summary>
    public static async Task<ToolResult> SucceedAsync(params string[] arguments)
    {
        var result = await RunAsync(arguments);
        Assert.True(result.ExitCode == 0 && result.StdErr.Length == 0, $"vs {string.Join(' ', arguments)} exited {result.ExitCode}\nstdout: {result.StdOut}\nstderr: {result.StdErr}");
        return result;
    }

    /// <summary>
    /// <see cref="SucceedAsync"/> once per distinct command line in a test run: for read-only commands (probe) that
    /// several tests judge from different sides.
    /// </summary>
    public static Task<ToolResult> SucceedOnceAsync(params string[] arguments) =>
        Runs.GetOrAdd(string.Join('\0', arguments), _ => new Lazy<Task<ToolResult>>(() => SucceedAsync(arguments))).Value;

    /// <summary>The error policy: exactly one line on stderr, "vs: …", no stack trace, nothing on stdout.</summary>
    public static string AssertOneErrorLine(ToolResult result, int exitCode)
    {
        var context = $"exit {result.ExitCode}\nstdout: {result.StdOut}\nstderr: {result.StdErr}";
        Assert.True(result.ExitCode == exitCode, $"expected exit {exitCode}; {context}");
        var lines = result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one stderr line; {context}");
        Assert.StartsWith("vs: ", lines[0], StringComparison.Ordinal);
        AssertNoStackTrace(result);
        Assert.True(result.StdOut.Length == 0, $"expected nothing on stdout; {context}");
        return lines[0];
    }

    public static void AssertNoStackTrace(ToolResult result) =>
        Assert.False(StackFrame().IsMatch(result.StdErr + result.StdOut), "stack trace printed:\n" + result.StdErr + result.StdOut);

    [GeneratedRegex(@"^\s+at ", RegexOptions.Multiline)]
    private static partial Regex StackFrame();
}
