using System.Net;
using System.Text;

namespace VideoStreams.Server.Tests.ControlPlane;

/// <summary>The bad inputs: each gets the KVS error naming what is wrong, and the server keeps serving.</summary>
public sealed class BadInputTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly HttpClient _client = server.CreateClient();

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task A_10_MB_body_is_InvalidArgument_and_the_server_keeps_serving()
    {
        var json = "{\"StreamName\":\"" + new string('a', 10 * 1024 * 1024) + "\"}";
        (await _client.KvsRawAsync("/createStream", json)).Invalid("larger than");
        await _client.AssertServingAsync();
    }

    [Fact]
    public async Task A_10_MB_chunked_body_without_a_length_is_refused_too()
    {
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("[" + string.Join(',', Enumerable.Repeat("1", 5 * 1024 * 1024)) + "]")));
        using var request = new HttpRequestMessage(HttpMethod.Post, "createStream") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("InvalidArgumentException", response.Headers.GetValues("x-amzn-ErrorType").Single());
        await _client.AssertServingAsync();
    }

    [Theory]
    [InlineData("[]", "must be a JSON object")]
    [InlineData("[{\"StreamName\":\"a\"}]", "must be a JSON object")]
    [InlineData("\"StreamName\"", "must be a JSON object")]
    [InlineData("null", "must be a JSON object")]
    [InlineData("{\"StreamName\":", "not valid JSON")]
    [InlineData("{\"StreamName\":\"a\"} {}", "nothing after it")]
    [InlineData("{\"StreamName\":42}", "StreamName must be a string")]
    [InlineData("{\"StreamName\":\"a\",\"DataRetentionInHours\":\"24\"}", "DataRetentionInHours must be a whole number")]
    [InlineData("{\"StreamName\":\"a\",\"DataRetentionInHours\":1.5}", "DataRetentionInHours must be a whole number")]
    [InlineData("{\"StreamName\":\"a\",\"DataRetentionInHours\":99999999999}", "DataRetentionInHours must be a whole number")]
    [InlineData("{\"StreamName\":\"a\",\"DataRetentionInHours\":87601}", "DataRetentionInHours")]
    [InlineData("{\"StreamName\":\"a\",\"Tags\":{\"k\":1}}", "Tags must be an object whose values are strings")]
    [InlineData("{\"StreamName\":\"a\",\"Tags\":[\"k\"]}", "Tags must be an object whose values are strings")]
    [InlineData("{\"StreamName\":\"a\",\"StreamStorageConfiguration\":{\"DefaultStorageTier\":\"COLD\"}}", "DefaultStorageTier")]
    [InlineData("{\"StreamName\":\"a\",\"StreamStorageConfiguration\":{\"DefaultStorageTier\":7}}", "StreamStorageConfiguration.DefaultStorageTier must be a string")]
    [InlineData("{\"StreamName\":\"a b\"}", "StreamName")]
    [InlineData("{}", "StreamName")]
    public async Task CreateStream_with_a_bad_body_is_InvalidArgument_naming_the_problem(string json, string mentions)
    {
        (await _client.KvsRawAsync("/createStream", json)).Invalid(mentions);
        await _client.AssertServingAsync();
    }

    [Theory]
    [InlineData("/listStreams", "{\"MaxResults\":0}", "MaxResults")]
    [InlineData("/listStreams", "{\"MaxResults\":10001}", "MaxResults")]
    [InlineData("/listStreams", "{\"NextToken\":\"not a token!\"}", "NextToken")]
    [InlineData("/listStreams", "{\"StreamNameCondition\":{\"ComparisonOperator\":\"ENDS_WITH\",\"ComparisonValue\":\"a\"}}", "ComparisonOperator")]
    [InlineData("/listStreams", "{\"StreamNameCondition\":{\"ComparisonValue\":5}}", "StreamNameCondition.ComparisonValue must be a string")]
    [InlineData("/describeStream", "{}", "StreamName or StreamARN")]
    [InlineData("/updateStream", "{\"StreamName\":\"a\"}", "CurrentVersion")]
    [InlineData("/updateDataRetention", "{\"StreamName\":\"a\",\"CurrentVersion\":\"v1\",\"Operation\":\"INCREASE_DATA_RETENTION\"}", "DataRetentionChangeInHours")]
    [InlineData("/deleteStream", "{\"StreamName\":\"a\"}", "StreamARN")]
    [InlineData("/untagStream", "{\"StreamName\":\"a\",\"TagKeyList\":\"k\"}", "TagKeyList must be an array of strings")]
    [InlineData("/TagResource", "{\"ResourceARN\":\"arn:aws:kinesisvideo:us-east-1:1:stream/a/1\",\"Tags\":{\"k\":\"v\"}}", "Tags must be an array of objects")]
    [InlineData("/getDataEndpoint", "{\"StreamName\":\"a\",\"APIName\":\"GET_EVERYTHING\"}", "APIName must be one of")]
    [InlineData("/getDataEndpoint", "{\"StreamName\":\"a\"}", "APIName")]
    public async Task Other_operations_with_bad_bodies_are_InvalidArgument_naming_the_field(string path, string json, string mentions)
    {
        (await _client.KvsRawAsync(path, json)).Invalid(mentions);
        await _client.AssertServingAsync();
    }

    [Fact]
    public async Task A_300_character_name_is_InvalidArgument()
    {
        (await _client.KvsAsync("/createStream", new { StreamName = new string('n', 300) })).Invalid("StreamName");
        (await _client.KvsAsync("/describeStream", new { StreamName = new string('n', 300) })).Invalid("StreamName");
        await _client.AssertServingAsync();
    }

    [Fact]
    public async Task Names_made_of_dots_are_ordinary_streams_and_nothing_leaves_the_data_folder()
    {
        // Unique per run would need a suffix, which would make the names ordinary; the fixture's data folder is
        // fresh, so these exact names are free.
        foreach (var name in new[] { ".", "..", "a..b", "...", "..-x" })
        {
            var arn = await _client.CreateStreamAsync(name, retentionHours: 1);
            Assert.Contains($":stream/{name}/", arn, StringComparison.Ordinal);
            Assert.Equal(name, (await _client.DescribeAsync(name)).GetProperty("StreamName").GetString());
            (await _client.KvsAsync("/tagStream", new { StreamARN = arn, Tags = new Dictionary<string, string> { ["n"] = name } })).Ok();
        }

        // The data folder's parent holds nothing but the data folder, and no path inside is named after a stream.
        Assert.Equal([server.DataDirectory], Directory.GetFileSystemEntries(server.RootDirectory));
        var entries = Directory.GetFileSystemEntries(server.DataDirectory, "*", SearchOption.AllDirectories).Select(Path.GetFileName);
        Assert.DoesNotContain(entries, e => e is "a..b" or "..." or "..-x");

        var listed = (await _client.KvsAsync("/listStreams", new { StreamNameCondition = new { ComparisonOperator = "BEGINS_WITH", ComparisonValue = "." } })).Ok().Body;
        Assert.Equal([".", "..", "..-x", "..."], listed.GetProperty("StreamInfoList").EnumerateArray().Select(s => s.GetProperty("StreamName").GetString()).Order(StringComparer.Ordinal));
        await _client.AssertServingAsync();
    }

    [Fact]
    public async Task Requests_with_any_or_no_SigV4_credentials_are_accepted_for_now()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "listStreams") { Content = new StringContent("{}") };
        request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/kinesisvideo/aws4_request, SignedHeaders=host, Signature=00");
        request.Headers.TryAddWithoutValidation("x-amz-date", "20260101T000000Z");
        using var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        (await _client.KvsRawAsync("/listStreams", "")).Ok();
    }

    [Fact]
    public async Task Oversized_headers_are_refused_and_the_server_keeps_serving()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "listStreams") { Content = new StringContent("{}") };
        request.Headers.TryAddWithoutValidation("x-amz-meta-big", new string('h', 64 * 1024));
        using var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        await _client.AssertServingAsync();
    }
}
