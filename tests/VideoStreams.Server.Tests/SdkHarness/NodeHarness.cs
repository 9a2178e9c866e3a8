using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace VideoStreams.Server.Tests.SdkHarness;

/// <summary>One line of the harness's stdout: a named check, whether it passed, and what it saw.</summary>
internal sealed record HarnessCheck(string Check, bool Ok, string Detail);

/// <summary>A finished harness run: its checks, any stdout line that was not a check, and stderr for diagnosis.</summary>
internal sealed record HarnessRun(int ExitCode, IReadOnlyList<HarnessCheck> Checks, IReadOnlyList<string> Unparsed, string StdErr);

/// <summary>
/// The Node.js harness in <c>tests/kvs-sdk-harness</c>: the AWS SDK for JavaScript v3, installed with <c>npm ci</c>
/// from the committed lock file, run as a separate process the way a user's script would run.
/// </summary>
internal static class NodeHarness
{
    public const int MinimumNodeMajor = 20;

    // Written into node_modules after a successful `npm ci`: the lock file's hash. When it matches, the packages are
    // the locked ones and the (slow, network-bound) install is skipped.
    private const string StampFileName = ".videostreams-lock.sha256";

    private static readonly Lazy<Task<string>> Prepared = new(PrepareAsync);

    /// <summary>tests/kvs-sdk-harness, found by walking up from the test binaries to the repository.</summary>
    public static string Folder { get; } = FindFolder();

    /// <summary>Checks Node.js and installs the harness's packages, once per test run. Returns the Node version.</summary>
    public static Task<string> PrepareOnceAsync() => Prepared.Value;

    /// <summary>
    /// Runs the harness against <paramref name="endpoint"/> with more <paramref name="arguments"/> (e.g. <c>--suite</c>)
    /// and parses its one-JSON-line-per-check output.
    /// </summary>
    public static async Task<HarnessRun> RunAsync(Uri endpoint, TimeSpan timeout, params string[] arguments)
    {
        // The harness has its own, shorter watchdog, so a hang normally surfaces as a failed check, not a kill.
        var harnessSeconds = ((int)(timeout.TotalSeconds * 0.8)).ToString(CultureInfo.InvariantCulture);
        var result = await RunProcessAsync("node",
            [Path.Combine(Folder, "run.mjs"), "--endpoint", endpoint.ToString(), "--timeout", harnessSeconds, .. arguments], timeout);

        var checks = new List<HarnessCheck>();
        var unparsed = new List<string>();
        foreach (var line in result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (TryParseCheck(line) is { } check)
            {
                checks.Add(check);
            }
            else
            {
                unparsed.Add(line);
            }
        }

        return new HarnessRun(result.ExitCode, checks, unparsed, result.StdErr);
    }

    private static HarnessCheck? TryParseCheck(string line)
    {
        try
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("check", out var name) && name.ValueKind == JsonValueKind.String
                && root.TryGetProperty("ok", out var ok) && ok.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? new HarnessCheck(name.GetString()!, ok.GetBoolean(),
                    root.TryGetProperty("detail", out var detail) ? detail.ToString() : "")
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<string> PrepareAsync()
    {
        var version = await NodeVersionAsync();
        var lockFile = Path.Combine(Folder, "package-lock.json");
        var stamp = Path.Combine(Folder, "node_modules", StampFileName);
        var lockHash = Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(lockFile)));
        if (File.Exists(stamp) && string.Equals((await File.ReadAllTextAsync(stamp)).Trim(), lockHash, StringComparison.Ordinal))
        {
            return version;
        }

        // npm is a .cmd script on Windows, which only a shell can start.
        var (program, arguments) = OperatingSystem.IsWindows()
            ? ("cmd.exe", new[] { "/d", "/c", "npm", "ci", "--no-audit", "--no-fund" })
            : ("npm", ["ci", "--no-audit", "--no-fund"]);
        var install = await RunProcessAsync(program, arguments, TimeSpan.FromMinutes(5));
        if (install.ExitCode != 0)
        {
            Assert.Fail($"`npm ci` in {Folder} exited with {install.ExitCode}; the harness's packages could not be installed.\n"
                + $"stdout: {install.StdOut}\nstderr: {install.StdErr}");
        }

        await File.WriteAllTextAsync(stamp, lockHash);
        return version;
    }

    private static async Task<string> NodeVersionAsync()
    {
        const string Requirement = "The AWS SDK harness (tests/kvs-sdk-harness) needs Node.js >= 20 with npm on the PATH";
        ProcessResult result;
        try
        {
            result = await RunProcessAsync("node", ["--version"], TimeSpan.FromSeconds(30));
        }
        catch (Win32Exception e)
        {
            Assert.Fail($"{Requirement}; `node` could not be started ({e.Message}). Install Node.js 20 or newer.");
            throw;
        }

        // "v20.20.2"
        var text = result.StdOut.Trim();
        var major = text.TrimStart('v').Split('.')[0];
        if (result.ExitCode != 0 || !int.TryParse(major, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            Assert.Fail($"{Requirement}; `node --version` answered {text} {result.StdErr} (exit {result.ExitCode}).");
        }
        else if (number < MinimumNodeMajor)
        {
            Assert.Fail($"{Requirement}; this machine has Node.js {text}. Install Node.js 20 or newer.");
        }

        return text;
    }

    private static string FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "kvs-sdk-harness");
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("tests/kvs-sdk-harness/package.json not found above " + AppContext.BaseDirectory);
    }

    private sealed record ProcessResult(int ExitCode, string StdOut, string StdErr);

    private static async Task<ProcessResult> RunProcessAsync(string program, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Folder,
        };
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        // Quiet npm: no update check or funding banners mixed into the output we report.
        psi.Environment["NO_UPDATE_NOTIFIER"] = "1";
        psi.Environment["npm_config_update_notifier"] = "false";

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + program);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', psi.ArgumentList)} did not finish within {timeout}.\n"
                + $"stdout so far: {await stdout}\nstderr so far: {await stderr}");
        }

        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }
}
