using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace VideoStreams.Server.Tests.SdkHarness;

/// <summary>What a finished child process printed, and its exit code.</summary>
internal sealed record ProcessResult(int ExitCode, string StdOut, string StdErr);

/// <summary>
/// A folder of the repository with a committed <c>package.json</c> + <c>package-lock.json</c> whose packages are
/// installed at test time with <c>npm ci</c> (node_modules is never committed): the AWS SDK harness, and hls.js for
/// the browser tests. The install runs once per test run, and not at all while node_modules matches the lock file.
/// </summary>
internal sealed class NpmFolder
{
    public const int MinimumNodeMajor = 20;

    // Written into node_modules after a successful `npm ci`: the lock file's hash. When it matches, the packages are
    // the locked ones and the (slow, network-bound) install is skipped.
    private const string StampFileName = ".videostreams-lock.sha256";

    private readonly Lazy<Task<string>> _prepared;
    private readonly string _requirement;

    /// <param name="relativePath">The folder below the repository root, e.g. <c>tests/kvs-sdk-harness</c>.</param>
    /// <param name="purpose">Who needs Node.js, for the failure message (e.g. "The AWS SDK harness").</param>
    public NpmFolder(string relativePath, string purpose)
    {
        Folder = Find(relativePath);
        _requirement = $"{purpose} ({relativePath}) needs Node.js >= {MinimumNodeMajor} with npm on the PATH";
        _prepared = new(PrepareAsync);
    }

    /// <summary>The folder, found by walking up from the test binaries to the repository.</summary>
    public string Folder { get; }

    /// <summary>Checks Node.js and installs the folder's packages, once per test run. Returns the Node version.</summary>
    public Task<string> PrepareOnceAsync() => _prepared.Value;

    private async Task<string> PrepareAsync()
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
        var install = await RunAsync(program, arguments, TimeSpan.FromMinutes(5));
        if (install.ExitCode != 0)
        {
            Assert.Fail($"`npm ci` in {Folder} exited with {install.ExitCode}; the packages could not be installed.\n"
                + $"stdout: {install.StdOut}\nstderr: {install.StdErr}");
        }

        await File.WriteAllTextAsync(stamp, lockHash);
        return version;
    }

    private async Task<string> NodeVersionAsync()
    {
        ProcessResult result;
        try
        {
            result = await RunAsync("node", ["--version"], TimeSpan.FromSeconds(30));
        }
        catch (Win32Exception e)
        {
            Assert.Fail($"{_requirement}; `node` could not be started ({e.Message}). Install Node.js {MinimumNodeMajor} or newer.");
            throw;
        }

        // "v20.20.2"
        var text = result.StdOut.Trim();
        var major = text.TrimStart('v').Split('.')[0];
        if (result.ExitCode != 0 || !int.TryParse(major, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            Assert.Fail($"{_requirement}; `node --version` answered {text} {result.StdErr} (exit {result.ExitCode}).");
        }
        else if (number < MinimumNodeMajor)
        {
            Assert.Fail($"{_requirement}; this machine has Node.js {text}. Install Node.js {MinimumNodeMajor} or newer.");
        }

        return text;
    }

    private static string Find(string relativePath)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relativePath);
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"{relativePath}/package.json not found above {AppContext.BaseDirectory}");
    }

    /// <summary>Runs a program in the folder; kills it (and its children) when it outlives <paramref name="timeout"/>.</summary>
    public async Task<ProcessResult> RunAsync(string program, IEnumerable<string> arguments, TimeSpan timeout)
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
