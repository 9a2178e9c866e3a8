using VideoStreams.Producer.Upload;

namespace VideoStreams.Producer.Tests.Upload;

/// <summary>Against the values AWS documents for Signature Version 4 (the IAM example and the SigV4 test suite).</summary>
public sealed class SigV4SignerTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string EmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    [Fact]
    public void The_IAM_ListUsers_example_signs_to_the_documented_signature()
    {
        var canonical = SigV4Signer.CanonicalRequest("GET", "/", "Action=ListUsers&Version=2010-05-08",
            [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"), ("Host", "iam.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")],
            EmptyHash, out var signed);

        Assert.Equal("content-type;host;x-amz-date", signed);
        Assert.Equal("5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
            SigV4Signer.Signature(Secret, "20150830T123600Z", "us-east-1", "iam", canonical));
    }

    [Fact]
    public void The_test_suite_post_vanilla_request_signs_to_the_documented_signature()
    {
        var canonical = SigV4Signer.CanonicalRequest("POST", "/", "",
            [("host", "example.amazonaws.com"), ("x-amz-date", "20150830T123600Z")], EmptyHash, out var signed);

        Assert.Equal("host;x-amz-date", signed);
        Assert.Equal("5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
            SigV4Signer.Signature(Secret, "20150830T123600Z", "us-east-1", "service", canonical));
    }

    [Fact]
    public void A_streamed_PutMedia_is_signed_as_an_unsigned_payload_with_the_kinesisvideo_scope()
    {
        var headers = new List<(string Name, string Value)>
        {
            ("Host", "127.0.0.1:5080"),
            ("Transfer-Encoding", "chunked"),
            ("x-amzn-stream-name", "camera-1"),
        };
        var credentials = new KvsCredentials("AKIDEXAMPLE", Secret, "session-token");

        SigV4Signer.Sign("POST", new Uri("http://127.0.0.1:5080/putMedia"), headers, credentials, "eu-west-1",
            new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero), SigV4Signer.UnsignedPayload);

        Assert.Contains(("x-amz-content-sha256", "UNSIGNED-PAYLOAD"), headers);
        Assert.Contains(("x-amz-date", "20261126T100000Z"), headers);
        Assert.Contains(("x-amz-security-token", "session-token"), headers);
        var authorization = headers.Single(h => h.Name == "Authorization").Value;
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/eu-west-1/kinesisvideo/aws4_request, "
            + "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amzn-stream-name, Signature=", authorization, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, string.Join("\n", headers.Select(h => h.Value)), StringComparison.Ordinal);
    }
}
