using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using VideoStreams.Cli.Clips;

namespace VideoStreams.Cli.Tests.Remote;

/// <summary>
/// vs signs what it sends with SigV4 whenever it found credentials: checked on the wire, against a stand-in KVS that
/// records each request and (mostly) refuses what is not signed with its keys.
/// </summary>
public sealed class SigningTests
{
    private const string KeyId = "AKIDEXAMPLE";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string Region = "eu-west-1";
    private const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    [Fact]
    public async Task With_keys_in_the_environment_each_request_is_signed_and_the_signature_recomputed_from_the_wire_matches()
    {
        await using var server = await CapturingKvsServer.StartAsync((KeyId, Secret, Region));

        var run = await VsRun.RunAsync(["streams", "describe", "lobby", "--json", "--server", server.Url], Keys());

        run.AssertSuccess();
        Assert.Equal("lobby", run.Json.GetProperty("name").GetString());
        Assert.Equal(["/describeStream", "/listTagsForStream"], server.Requests.Select(r => r.Path));
        foreach (var request in server.Requests)
        {
            AssertSigned(request);
            Assert.Equal(["content-type", "host", "x-amz-content-sha256", "x-amz-date"], WireSignature.Parse(request).SignedHeaders);
            Assert.Contains("\"StreamName\":\"lobby\"", Encoding.UTF8.GetString(request.Body), StringComparison.Ordinal);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(request.Body)), request.Header("x-amz-content-sha256"));
            Assert.NotEqual(EmptySha256, request.Header("x-amz-content-sha256"));
            Assert.DoesNotContain(Secret, request.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_session_token_is_sent_as_x_amz_security_token_and_is_signed()
    {
        const string Token = "FwoGZXIvYXdzEXAMPLE//session+token=";
        await using var server = await CapturingKvsServer.StartAsync((KeyId, Secret, Region));

        (await VsRun.RunAsync(["streams", "ls", "--server", server.Url], Keys(Token))).AssertSuccess();

        var request = Assert.Single(server.Requests);
        AssertSigned(request);
        Assert.Equal(Token, request.Header("x-amz-security-token"));
        Assert.Contains("x-amz-security-token", WireSignature.Parse(request).SignedHeaders);
        var swapped = new Dictionary<string, string>(request.Headers, StringComparer.OrdinalIgnoreCase) { ["x-amz-security-token"] = "another-token" };
        Assert.NotNull(WireSignature.Problem(request with { Headers = swapped }, KeyId, Secret, Region));
    }

    [Fact]
    public async Task A_resumed_clip_signs_its_Range_and_If_Range()
    {
        await using var server = await CapturingKvsServer.StartAsync((KeyId, Secret, Region));
        using var temp = new TempFolder();
        var path = temp["clip.mp4"];
        var clip = CapturingKvsServer.Clip;
        var half = clip.Length / 2;
        await File.WriteAllBytesAsync(path, clip[..half]);
        new ClipSidecar("cam 1764160000 1764160040 producer", "v1/streams/cam/clip?start=1764160000000&end=1764160040000&clock=producer",
            CapturingKvsServer.ClipETag, clip.Length).Write(ClipSidecar.PathFor(path));

        var run = await VsRun.RunAsync(["clip", "cam", "--from", "1764160000", "--to", "1764160040", "-o", path, "--json", "--server", server.Url], Keys());

        run.AssertSuccess();
        Assert.Equal(half, run.Json.GetProperty("resumedFrom").GetInt64());
        Assert.Equal(clip, await File.ReadAllBytesAsync(path));
        var request = Assert.Single(server.Requests);
        Assert.Equal(("GET", $"bytes={half}-", CapturingKvsServer.ClipETag), (request.Method, request.Header("Range"), request.Header("If-Range")));
        Assert.Equal("/v1/streams/cam/clip?start=1764160000000&end=1764160040000&clock=producer", request.Target);
        AssertSigned(request);
        Assert.Equal(["host", "if-range", "range", "x-amz-content-sha256", "x-amz-date"], WireSignature.Parse(request).SignedHeaders);
        Assert.Equal(EmptySha256, request.Header("x-amz-content-sha256"));
    }

    [Fact]
    public async Task Signing_headers_are_sent_when_credentials_were_found_and_never_without()
    {
        await using var server = await CapturingKvsServer.StartAsync();

        (await VsRun.RunAsync(["streams", "ls", "--server", server.Url], Keys("token"))).AssertSuccess();
        (await VsRun.RunAsync(["streams", "ls", "--server", server.Url])).AssertSuccess();

        Assert.Equal(2, server.Requests.Count);
        var (withKeys, withoutKeys) = (server.Requests[0], server.Requests[1]);
        AssertSigned(withKeys);
        Assert.Null(withoutKeys.Header("Authorization"));
        Assert.DoesNotContain(withoutKeys.Headers.Keys, name => name.StartsWith("x-amz", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(withKeys.Body, withoutKeys.Body);
    }

    [Fact]
    public async Task A_server_that_refuses_the_signature_is_exit_4_in_one_line()
    {
        await using var server = await CapturingKvsServer.StartAsync((KeyId, Secret, Region));
        string[] describe = ["streams", "describe", "lobby", "--server", server.Url];

        var wrongSecret = (await VsRun.RunAsync(describe, Keys(secret: "not-the-secret"))).AssertError(CliErrors.Auth);
        var wrongRegion = (await VsRun.RunAsync([.. describe, "--region", "us-west-2"], Keys())).AssertError(CliErrors.Auth);
        var unsigned = (await VsRun.RunAsync(describe)).AssertError(CliErrors.Auth);
        var signed = await VsRun.RunAsync(describe, Keys());

        Assert.StartsWith("vs: InvalidSignatureException: ", wrongSecret, StringComparison.Ordinal);
        Assert.StartsWith("vs: InvalidSignatureException: ", wrongRegion, StringComparison.Ordinal);
        Assert.StartsWith("vs: NotAuthorizedException: ", unsigned, StringComparison.Ordinal);
        Assert.Contains("no credentials found", unsigned, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-secret", wrongSecret, StringComparison.Ordinal);
        signed.AssertSuccess();
        Assert.Contains("lobby", signed.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_shows_how_requests_are_signed_and_requests_are_signed_that_way()
    {
        using var temp = new TempFolder();
        await File.WriteAllTextAsync(temp["config"], $"[default]\nregion = {Region}\n\n[profile lab]\nregion = ap-south-1\naws_access_key_id = {KeyId}\naws_secret_access_key = {Secret}\n");
        var env = new Dictionary<string, string> { ["VIDEOSTREAMS_CONFIG"] = temp["config"] };
        await using var server = await CapturingKvsServer.StartAsync((KeyId, Secret, "ap-south-1"));

        var lab = await VsRun.RunAsync(["config", "--json", "--profile", "lab"], env);
        var table = await VsRun.RunAsync(["config", "--profile", "lab"], env);
        var none = await VsRun.RunAsync(["config", "--json"], env);
        var list = await VsRun.RunAsync(["streams", "ls", "--profile", "lab", "--server", server.Url], env);

        lab.AssertSuccess();
        Assert.Equal("SigV4 kinesisvideo ap-south-1", lab.Json.GetProperty("signing").GetString());
        Assert.Contains("SigV4 kinesisvideo ap-south-1", table.StdOut, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, none.Json.GetProperty("signing").ValueKind);
        Assert.DoesNotContain(Secret, lab.StdOut + table.StdOut, StringComparison.Ordinal);
        list.AssertSuccess();
        var request = Assert.Single(server.Requests);
        Assert.EndsWith("/ap-south-1/kinesisvideo/aws4_request", WireSignature.Parse(request).Scope, StringComparison.Ordinal);
        Assert.True(WireSignature.Problem(request, KeyId, Secret, "ap-south-1") is null, $"{WireSignature.Problem(request, KeyId, Secret, "ap-south-1")}\n{request}");
    }

    private static Dictionary<string, string> Keys(string? token = null, string secret = Secret)
    {
        var env = new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = KeyId,
            ["AWS_SECRET_ACCESS_KEY"] = secret,
            ["AWS_REGION"] = Region,
        };
        if (token is not null)
        {
            env["AWS_SESSION_TOKEN"] = token;
        }

        return env;
    }

    /// <summary>The request carries all of SigV4 and its signature, recomputed from the wire, is the one for our keys.</summary>
    private static void AssertSigned(CapturedRequest request)
    {
        Assert.NotNull(request.Header("Authorization"));
        Assert.NotNull(request.Header("x-amz-date"));
        Assert.NotNull(request.Header("x-amz-content-sha256"));
        var problem = WireSignature.Problem(request, KeyId, Secret, Region);
        Assert.True(problem is null, $"{problem}\n{request}");
    }
}
