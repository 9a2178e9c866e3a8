using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace VideoStreams.Cli.Tests.Remote;

/// <summary>
/// The built <c>vs</c> as a process, with stdout kept as bytes (clips and GetMedia go there), an environment of our
/// choosing (no VIDEOSTREAMS_/AWS_ variables leak in from the machine), and SIGINT for the Ctrl-C tests.
/// </summary>
internal sealed class VsRun : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private readonly Process _process;
    private readonly Task<byte[]> _stdout;
    private readonly Task<string> _stderr;

    private VsRun(Process process)
    {
        _process = process;
        _stdout = ReadAllAsync(process.StandardOutput.BaseStream);
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public sealed record Result(int ExitCode, byte[] StdOutBytes, string StdErr, string Command)
    {
        public string StdOut => Encoding.UTF8.GetString(StdOutBytes);

        public JsonElement Json => JsonDocument.Parse(StdOutBytes).RootElement;

        public override string ToString() => $"{Command}\nexit {ExitCode}\nstdout: {StdOut}\nstderr: {StdErr}";

        public void AssertSuccess() => Assert.True(ExitCode == 0 && StdErr.Length == 0, "expected success: " + this);

        /// <summary>The error policy: this exit code, one "vs: …" line on stderr, nothing on stdout, no stack trace.</summary>
        public string AssertError(int exitCode)
        {
            Assert.True(ExitCode == exitCode, $"expected exit {exitCode}: {this}");
            var lines = StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length == 1 && lines[0].StartsWith("vs: ", StringComparison.Ordinal), "expected one 'vs: ' line on stderr: " + this);
            Assert.DoesNotContain("   at ", StdErr, StringComparison.Ordinal);
            return lines[0];
        }
    }

    public int Id => _process.Id;

    public static VsRun Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Vs.Dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("VIDEOSTREAMS", StringComparison.Ordinal) || k.StartsWith("AWS_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        // No profile file from the machine either, unless a test names one.
        start.Environment["VIDEOSTREAMS_CONFIG"] = "/nonexistent/vs-config";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return new VsRun(Process.Start(start) ?? throw new InvalidOperationException("could not start vs"));
    }

    public static async Task<Result> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        await using var run = Start(arguments, environment);
        return await run.WaitAsync();
    }

    /// <summary>What Ctrl-C in a terminal sends: SIGINT to vs.</summary>
    public async Task InterruptAsync()
    {
        if (Signals.Kill(_process.Id, Signals.SigInt) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            Assert.Fail($"kill({_process.Id}, SIGINT) failed with errno {errno} (exited: {_process.HasExited}); vs had ended: {await WaitAsync()}");
        }
    }

    public bool HasExited => _process.HasExited;

    public async Task<Result> WaitAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await _process.WaitForExitAsync(timeout.Token);
        return new Result(_process.ExitCode, await _stdout, await _stderr, "vs " + string.Join(' ', _process.StartInfo.ArgumentList.Skip(1)));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory);
        return memory.ToArray();
    }
}

/// <summary>libc's kill(2): .NET can send SIGKILL (<see cref="Process.Kill()"/>) but not SIGINT.</summary>
internal static class Signals
{
    public const int SigInt = 2;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Kill(int pid, int signal);
}
