using System.Globalization;
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
    private static readonly NpmFolder Packages = new("tests/kvs-sdk-harness", "The AWS SDK harness");

    /// <summary>tests/kvs-sdk-harness, found by walking up from the test binaries to the repository.</summary>
    public static string Folder => Packages.Folder;

    /// <summary>Checks Node.js and installs the harness's packages, once per test run. Returns the Node version.</summary>
    public static Task<string> PrepareOnceAsync() => Packages.PrepareOnceAsync();

    /// <summary>
    /// Runs the harness against <paramref name="endpoint"/> with more <paramref name="arguments"/> (e.g. <c>--suite</c>)
    /// and parses its one-JSON-line-per-check output.
    /// </summary>
    public static async Task<HarnessRun> RunAsync(Uri endpoint, TimeSpan timeout, params string[] arguments)
    {
        // The harness has its own, shorter watchdog, so a hang normally surfaces as a failed check, not a kill.
        var harnessSeconds = ((int)(timeout.TotalSeconds * 0.8)).ToString(CultureInfo.InvariantCulture);
        var result = await Packages.RunAsync("node",
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
}
