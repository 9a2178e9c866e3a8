using System.Text;
using Xunit.Abstractions;

namespace VideoStreams.Server.Tests.SdkHarness;

/// <summary>
/// Issue 5's acceptance "the AWS SDK works unchanged": the AWS SDK for JavaScript v3 (@aws-sdk/client-kinesis-video,
/// pinned in tests/kvs-sdk-harness/package-lock.json) drives every control-plane operation against the real server
/// with only an endpoint override and dummy credentials.
/// </summary>
public sealed class SdkHarnessTests(ServerFixture server, ITestOutputHelper output) : IClassFixture<ServerFixture>
{
    // Every operation the issue names must be exercised by at least one check (check names start with it), so a
    // harness that silently stops early, or loses an operation, fails here rather than passing on fewer checks.
    private static readonly string[] Operations =
    [
        "CreateStream", "DescribeStream", "ListStreams", "UpdateStream", "UpdateDataRetention", "DeleteStream",
        "TagStream", "UntagStream", "ListTagsForStream", "TagResource", "UntagResource", "GetDataEndpoint",
    ];

    [Fact]
    public async Task TheUnchangedAwsSdkForJavaScriptPassesEveryControlPlaneCheck()
    {
        var nodeVersion = await NodeHarness.PrepareOnceAsync();
        output.WriteLine($"Node.js {nodeVersion}; harness {NodeHarness.Folder}; server {server.BaseUrl}");

        var run = await NodeHarness.RunAsync(server.BaseUrl, TimeSpan.FromMinutes(4));
        foreach (var check in run.Checks)
        {
            output.WriteLine($"{(check.Ok ? "ok  " : "FAIL")} {check.Check} — {check.Detail}");
        }

        var failed = run.Checks.Where(c => !c.Ok).ToList();
        var uncovered = Operations.Where(op => !run.Checks.Any(c => c.Check.StartsWith(op + ":", StringComparison.Ordinal))).ToList();
        var passed = failed.Count == 0 && uncovered.Count == 0 && run.Unparsed.Count == 0 && run.ExitCode == 0 && run.Checks.Count > 0;
        Assert.True(passed, Explain(run, failed, uncovered));
    }

    private static string Explain(HarnessRun run, List<HarnessCheck> failed, List<string> uncovered)
    {
        var text = new StringBuilder()
            .AppendLine(FormattableString.Invariant($"The AWS SDK harness failed {failed.Count} of {run.Checks.Count} checks (exit code {run.ExitCode})."));
        foreach (var check in failed)
        {
            text.AppendLine(FormattableString.Invariant($"  FAIL {check.Check}: {check.Detail}"));
        }

        if (uncovered.Count > 0)
        {
            text.AppendLine("  No check ran for: " + string.Join(", ", uncovered));
        }

        foreach (var line in run.Unparsed)
        {
            text.AppendLine("  Not a check line: " + line);
        }

        return text.AppendLine("stderr: " + run.StdErr.Trim()).ToString();
    }
}
