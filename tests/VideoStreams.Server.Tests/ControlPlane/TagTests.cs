using System.Net;
using System.Text.Json;

namespace VideoStreams.Server.Tests.ControlPlane;

public sealed class TagTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly HttpClient _client = server.CreateClient();

    public void Dispose() => _client.Dispose();

    private static Dictionary<string, string> Tags(JsonElement body) =>
        body.GetProperty("Tags").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

    [Fact]
    public async Task TagStream_adds_and_overwrites_UntagStream_removes_and_ListTagsForStream_shows_them()
    {
        var name = KvsHttp.UniqueName();
        await _client.KvsAsync("/createStream", new { StreamName = name, Tags = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" } });

        (await _client.KvsAsync("/tagStream", new { StreamName = name, Tags = new Dictionary<string, string> { ["b"] = "20", ["c"] = "3" } })).Ok();
        var listed = (await _client.KvsAsync("/listTagsForStream", new { StreamName = name })).Ok().Body;
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["b"] = "20", ["c"] = "3" }, Tags(listed));
        Assert.False(listed.TryGetProperty("NextToken", out _));

        (await _client.KvsAsync("/untagStream", new { StreamName = name, TagKeyList = new[] { "a", "not-there" } })).Ok();
        Assert.Equal(new Dictionary<string, string> { ["b"] = "20", ["c"] = "3" },
            Tags((await _client.KvsAsync("/listTagsForStream", new { StreamName = name })).Ok().Body));
    }

    [Fact]
    public async Task The_resource_aliases_tag_a_stream_by_ARN_with_Key_Value_pairs()
    {
        var name = KvsHttp.UniqueName();
        var arn = await _client.CreateStreamAsync(name);

        (await _client.KvsAsync("/TagResource", new { ResourceARN = arn, Tags = new[] { new { Key = "team", Value = "ops" }, new { Key = "env", Value = "test" } } })).Ok();
        Assert.Equal(new Dictionary<string, string> { ["team"] = "ops", ["env"] = "test" },
            Tags((await _client.KvsAsync("/ListTagsForResource", new { ResourceARN = arn })).Ok().Body));

        (await _client.KvsAsync("/UntagResource", new { ResourceARN = arn, TagKeyList = new[] { "env" } })).Ok();
        Assert.Equal(new Dictionary<string, string> { ["team"] = "ops" },
            Tags((await _client.KvsAsync("/listTagsForStream", new { StreamARN = arn })).Ok().Body));
    }

    [Fact]
    public async Task A_malformed_ARN_is_InvalidResourceFormat_and_an_unknown_one_ResourceNotFound()
    {
        (await _client.KvsAsync("/tagStream", new { StreamARN = "not-an-arn", Tags = new Dictionary<string, string> { ["a"] = "b" } }))
            .Error(HttpStatusCode.BadRequest, "InvalidResourceFormatException");
        (await _client.KvsAsync("/ListTagsForResource", new { ResourceARN = "arn:aws:kinesisvideo:us-east-1:123456789012:stream/nope/1" }))
            .Error(HttpStatusCode.NotFound, "ResourceNotFoundException");
    }

    [Fact]
    public async Task More_than_50_tags_is_TagsPerResourceExceededLimit_in_one_call_or_in_total()
    {
        var name = KvsHttp.UniqueName();
        var tooMany = Enumerable.Range(0, 51).ToDictionary(i => $"k{i}", i => $"v{i}");
        (await _client.KvsAsync("/createStream", new { StreamName = name, Tags = tooMany })).Error(HttpStatusCode.BadRequest, "TagsPerResourceExceededLimitException");

        await _client.KvsAsync("/createStream", new { StreamName = name, Tags = tooMany.Take(50).ToDictionary() });
        (await _client.KvsAsync("/tagStream", new { StreamName = name, Tags = new Dictionary<string, string> { ["one-more"] = "x" } }))
            .Error(HttpStatusCode.BadRequest, "TagsPerResourceExceededLimitException");
        (await _client.KvsAsync("/tagStream", new { StreamName = name, Tags = tooMany }))
            .Error(HttpStatusCode.BadRequest, "TagsPerResourceExceededLimitException");
        Assert.Equal(50, Tags((await _client.KvsAsync("/listTagsForStream", new { StreamName = name })).Ok().Body).Count);
        await _client.AssertServingAsync();
    }
}
