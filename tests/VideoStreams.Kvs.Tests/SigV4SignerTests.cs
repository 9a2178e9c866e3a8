using System.Net.Http.Headers;

namespace VideoStreams.Kvs.Tests;

/// <summary>Against the values AWS documents for Signature Version 4 (the IAM example and the SigV4 test suite).</summary>
public sealed class SigV4SignerTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string EmptyHash = SigV4Signer.EmptyPayloadHash;

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
        var credentials = new AwsCredentials("AKIDEXAMPLE", Secret, "session-token");

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

    [Fact]
    public void The_empty_payload_hash_is_the_SHA256_of_nothing()
    {
        Assert.Equal(SigV4Signer.EmptyPayloadHash, SigV4Signer.HexSha256([]));
    }

    [Fact]
    public void A_ranged_GET_signs_Range_and_If_Range_and_signs_as_the_header_list_does()
    {
        var credentials = new AwsCredentials("AKIDEXAMPLE", Secret);
        var now = new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
        var uri = new Uri("http://127.0.0.1:5080/v1/streams/cam/clip?start=1&end=2&clock=producer");
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Range = new RangeHeaderValue(1000, null);
        request.Headers.IfRange = new RangeConditionHeaderValue(new EntityTagHeaderValue("\"abc\""));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("vs", "1.0"));

        SigV4Signer.Sign(request, credentials, "us-east-1", now, SigV4Signer.EmptyPayloadHash);

        var authorization = request.Headers.GetValues("Authorization").Single();
        Assert.Contains("SignedHeaders=host;if-range;range;x-amz-content-sha256;x-amz-date, ", authorization, StringComparison.Ordinal);
        var expected = new List<(string Name, string Value)>
        {
            ("Host", "127.0.0.1:5080"),
            ("Range", "bytes=1000-"),
            ("If-Range", "\"abc\""),
        };
        SigV4Signer.Sign("GET", uri, expected, credentials, "us-east-1", now, SigV4Signer.EmptyPayloadHash);
        Assert.Equal(expected.Single(h => h.Name == "Authorization").Value, authorization);
        Assert.Equal("20261126T100000Z", request.Headers.GetValues("x-amz-date").Single());
        Assert.False(request.Headers.Contains("x-amz-security-token"));
    }

    [Fact]
    public void Signing_again_replaces_the_signing_headers_instead_of_adding_to_them()
    {
        var credentials = new AwsCredentials("AKIDEXAMPLE", Secret, "token");
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:5080/describeStream") { Content = new StringContent("{}") };

        SigV4Signer.Sign(request, credentials, "us-east-1", new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero), SigV4Signer.HexSha256("{}"u8));
        SigV4Signer.Sign(request, credentials, "us-east-1", new DateTimeOffset(2026, 11, 26, 10, 5, 0, TimeSpan.Zero), SigV4Signer.HexSha256("{}"u8));

        Assert.Equal("20261126T100500Z", request.Headers.GetValues("x-amz-date").Single());
        Assert.Single(request.Headers.GetValues("x-amz-security-token"));
        var authorization = request.Headers.GetValues("Authorization").Single();
        Assert.Contains("SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, ", authorization, StringComparison.Ordinal);
    }

    [Fact]
    public void Credentials_and_records_derived_from_them_never_print_the_secret()
    {
        var credentials = new AwsCredentials("AKIDEXAMPLE", Secret, "token");
        var derived = new NamedCredentials("AKIDEXAMPLE", Secret);

        Assert.Equal("AwsCredentials(AKIDEXAMPLE, ***)", credentials.ToString());
        Assert.Equal("NamedCredentials(AKIDEXAMPLE, ***)", derived.ToString());
        Assert.DoesNotContain(Secret, $"{credentials} {derived}", StringComparison.Ordinal);
    }

    private sealed record NamedCredentials(string AccessKeyId, string SecretAccessKey) : AwsCredentials(AccessKeyId, SecretAccessKey);
}
