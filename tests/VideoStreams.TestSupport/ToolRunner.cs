using System.Diagnostics;
using System.Text;

namespace VideoStreams.TestSupport;

/// <summary>The result of running an external program.</summary>
public sealed record ToolResult(int ExitCode, string StdOut, string StdErr)
{
    /// <summary>Throws with both streams when the exit code is not zero.</summary>
    public ToolResult EnsureSuccess(string what)
    {
        if (ExitCode != 0)
        {
            throw new InvalidOperationException($"{what} exited with {ExitCode}\nstdout: {StdOut}\nstderr: {StdErr}");
        }

        return this;
    }
}

/// <summary>Runs real tools (ffmpeg, ffprobe, mkvinfo, mkvmerge, our own `vs`) with a hard timeout.</summary>
public static class ToolRunner
{
    /// <summary>Runs <paramref name="program"/> and captures its output; kills it after <paramref name="timeout"/>.</summary>
    public static async Task<ToolResult> RunAsync(string program, IEnumerable<string> arguments, TimeSpan? timeout = null, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + program);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', psi.ArgumentList)} did not finish in time");
        }

        return new ToolResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs a tool with arguments given as params.</summary>
    public static Task<ToolResult> RunAsync(string program, params string[] arguments) => RunAsync(program, (IEnumerable<string>)arguments);

    /// <summary>Formats a command line for error messages.</summary>
    public static string Describe(string program, IEnumerable<string> arguments)
    {
        var sb = new StringBuilder(program);
        foreach (var a in arguments)
        {
            sb.Append(' ').Append(a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a);
        }

        return sb.ToString();
    }
}
