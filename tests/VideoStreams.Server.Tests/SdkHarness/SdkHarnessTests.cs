using System.Globalization;
using System.Net;
using System.Text;
using VideoStreams.Server.Tests.Ingest;
using Xunit.Abstractions;

namespace VideoStreams.Server.Tests.SdkHarness;

/// <summary>
/// "The AWS SDK works unchanged": the AWS SDK for JavaScript v3 (@aws-sdk/client-kinesis-video,
/// -kinesis-video-media and -kinesis-video-archived-media, pinned in tests/kvs-sdk-harness/package-lock.json) drives
/// the control plane (issue 5), reads media ingested with PutMedia (issue 6) and plays it back (issue 8: an HLS session
/// URL and the playlists and segments it leads to, a clip, images) against the real server, with only an endpoint
/// override and dummy credentials.
/// </summary>
public sealed class SdkHarnessTests(ServerFixture server, ITestOutputHelper output) : IClassFixture<ServerFixture>
{
    // Every operation must be exercised by at least one check (check names start with it), so a harness that
    // silently stops early, or loses an operation, fails here rather than passing on fewer checks.
    private static readonly string[] ControlPlaneOperations =
    [
        "CreateStream", "DescribeStream", "ListStreams", "UpdateStream", "UpdateDataRetention", "DeleteStream",
        "TagStream", "UntagStream", "ListTagsForStream", "TagResource", "UntagResource", "GetDataEndpoint",
    ];

    private static readonly string[] MediaOperations = ["GetDataEndpoint", "ListFragments", "GetMediaForFragmentList", "GetMedia"];

    private static readonly string[] PlaybackOperations = ["GetDataEndpoint", "GetHLSStreamingSessionURL", "GetClip", "GetImages"];

    // KVS live layout, 3 clusters (fragments) of about 2 s, H.264 + AAC.
    private const string Sample = "live-high-1280x720-30fps-aac.mkv";

    [Fact]
    public async Task TheUnchangedAwsSdkForJavaScriptPassesEveryControlPlaneCheck()
    {
        var run = await RunHarnessAsync("--suite", "control-plane");
        AssertPassed(run, ControlPlaneOperations);
    }

    [Fact]
    public async Task TheUnchangedAwsSdkReadsMediaIngestedWithPutMediaThroughListFragmentsGetMediaAndGetMediaForFragmentList()
    {
        var ingest = await IngestSampleAsync("sdk-media-");
        var run = await RunHarnessAsync(["--suite", "media", .. ingest]);
        AssertPassed(run, MediaOperations);
    }

    [Fact]
    public async Task TheUnchangedAwsSdkPlaysMediaIngestedWithPutMediaThroughAnHlsSessionUrlAClipAndImages()
    {
        var ingest = await IngestSampleAsync("sdk-playback-");
        var run = await RunHarnessAsync(["--suite", "playback", .. ingest]);
        AssertPassed(run, PlaybackOperations);
    }

    /// <summary>PutMedia's the sample into a new stream; returns the harness arguments that describe what was stored.</summary>
    private async Task<string[]> IngestSampleAsync(string prefix)
    {
        using var client = server.CreateClient();
        var stream = prefix + Guid.NewGuid().ToString("N")[..12];
        await client.CreateStreamAsync(stream, retentionHours: 1);
        var sample = PutMediaClient.Sample(Sample);
        PutMediaAnswer answer;
        await using (var file = File.OpenRead(sample))
        {
            answer = await client.PutMediaAsync(stream, file);
        }

        // The harness reads what was stored: every fragment must be PERSISTED before it starts.
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        answer.NoErrors();
        var persisted = answer.OfType("PERSISTED").Select(a => a.GetProperty("FragmentNumber").GetString()!).ToList();
        Assert.True(persisted.Count == 3, $"expected 3 PERSISTED acks for {Sample}, got:\n{answer}");

        var producerStart = (PutMediaClient.StartMs / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);
        return
        [
            "--media-stream", stream,
            "--media-file", sample,
            "--media-fragments", string.Join(',', persisted),
            "--producer-start", producerStart,
        ];
    }

    private async Task<HarnessRun> RunHarnessAsync(params string[] arguments)
    {
        var nodeVersion = await NodeHarness.PrepareOnceAsync();
        output.WriteLine($"Node.js {nodeVersion}; harness {NodeHarness.Folder}; server {server.BaseUrl}; {string.Join(' ', arguments)}");

        var run = await NodeHarness.RunAsync(server.BaseUrl, TimeSpan.FromMinutes(4), arguments);
        foreach (var check in run.Checks)
        {
            output.WriteLine($"{(check.Ok ? "ok  " : "FAIL")} {check.Check} — {check.Detail}");
        }

        return run;
    }

    private static void AssertPassed(HarnessRun run, string[] operations)
    {
        var failed = run.Checks.Where(c => !c.Ok).ToList();
        var uncovered = operations.Where(op => !run.Checks.Any(c => c.Check.StartsWith(op + ":", StringComparison.Ordinal))).ToList();
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
