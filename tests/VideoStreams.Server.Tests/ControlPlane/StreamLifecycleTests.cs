using System.Net;
using System.Text.Json;

namespace VideoStreams.Server.Tests.ControlPlane;

public sealed class StreamLifecycleTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly HttpClient _client = server.CreateClient();

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task CreateStream_returns_an_ARN_and_DescribeStream_shows_every_field_with_epoch_second_times()
    {
        var name = KvsHttp.UniqueName();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        var created = (await _client.KvsAsync("/createStream", new
        {
            StreamName = name,
            DeviceName = "camera-1",
            MediaType = "video/h264",
            DataRetentionInHours = 24,
            Tags = new Dictionary<string, string> { ["site"] = "north" },
            StreamStorageConfiguration = new { DefaultStorageTier = "HOT" },
        })).Ok();
        var arn = created.Body.GetProperty("StreamARN").GetString()!;
        Assert.StartsWith($"arn:aws:kinesisvideo:us-east-1:123456789012:stream/{name}/", arn, StringComparison.Ordinal);

        var info = (await _client.KvsAsync("/describeStream", new { StreamARN = arn })).Ok().Body.GetProperty("StreamInfo");
        Assert.Equal(name, info.GetProperty("StreamName").GetString());
        Assert.Equal(arn, info.GetProperty("StreamARN").GetString());
        Assert.Equal("camera-1", info.GetProperty("DeviceName").GetString());
        Assert.Equal("video/h264", info.GetProperty("MediaType").GetString());
        Assert.Equal("aws/kinesisvideo", info.GetProperty("KmsKeyId").GetString());
        Assert.Equal("ACTIVE", info.GetProperty("Status").GetString());
        Assert.Equal(24, info.GetProperty("DataRetentionInHours").GetInt32());
        Assert.False(string.IsNullOrEmpty(info.GetProperty("Version").GetString()));
        Assert.Equal(JsonValueKind.Number, info.GetProperty("CreationTime").ValueKind);
        Assert.InRange(info.GetProperty("CreationTime").GetDouble(), before - 1, before + 60);
    }

    [Fact]
    public async Task Creating_a_name_that_is_taken_is_ResourceInUse()
    {
        var name = KvsHttp.UniqueName();
        await _client.CreateStreamAsync(name);
        (await _client.KvsAsync("/createStream", new { StreamName = name })).Error(HttpStatusCode.BadRequest, "ResourceInUseException");
    }

    [Fact]
    public async Task Describing_a_stream_that_does_not_exist_is_ResourceNotFound_404()
    {
        var answer = (await _client.KvsAsync("/describeStream", new { StreamName = KvsHttp.UniqueName() }))
            .Error(HttpStatusCode.NotFound, "ResourceNotFoundException");
        Assert.Equal("The requested stream is not found or not active.", answer.Message);
    }

    [Fact]
    public async Task ListStreams_pages_through_every_stream_with_a_prefix_exactly_once()
    {
        var prefix = $"page-{Guid.NewGuid():N}"[..20];
        var names = Enumerable.Range(0, 7).Select(i => $"{prefix}-{i}").ToList();
        foreach (var name in names)
        {
            await _client.CreateStreamAsync(name);
        }

        await _client.CreateStreamAsync(KvsHttp.UniqueName("other"));
        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = (await _client.KvsAsync("/listStreams", new
            {
                MaxResults = 3,
                NextToken = token,
                StreamNameCondition = new { ComparisonOperator = "BEGINS_WITH", ComparisonValue = prefix },
            })).Ok().Body;
            seen.AddRange(page.GetProperty("StreamInfoList").EnumerateArray().Select(s => s.GetProperty("StreamName").GetString()!));
            token = page.TryGetProperty("NextToken", out var next) ? next.GetString() : null;
            pages++;
        }
        while (token is not null);

        Assert.Equal(names, seen);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task UpdateStream_changes_metadata_and_the_version_and_an_old_version_is_VersionMismatch()
    {
        var name = KvsHttp.UniqueName();
        await _client.CreateStreamAsync(name);
        var version = (await _client.DescribeAsync(name)).GetProperty("Version").GetString();

        (await _client.KvsAsync("/updateStream", new { StreamName = name, CurrentVersion = version, DeviceName = "cam-2", MediaType = "video/h265" })).Ok();
        var info = await _client.DescribeAsync(name);
        Assert.Equal("cam-2", info.GetProperty("DeviceName").GetString());
        Assert.Equal("video/h265", info.GetProperty("MediaType").GetString());
        Assert.NotEqual(version, info.GetProperty("Version").GetString());

        (await _client.KvsAsync("/updateStream", new { StreamName = name, CurrentVersion = version, DeviceName = "cam-3" }))
            .Error(HttpStatusCode.BadRequest, "VersionMismatchException");
        Assert.Equal("cam-2", (await _client.DescribeAsync(name)).GetProperty("DeviceName").GetString());
    }

    [Fact]
    public async Task UpdateDataRetention_increases_and_decreases_and_checks_the_version_and_the_range()
    {
        var name = KvsHttp.UniqueName();
        await _client.CreateStreamAsync(name, retentionHours: 10);
        var version = (await _client.DescribeAsync(name)).GetProperty("Version").GetString();

        (await _client.KvsAsync("/updateDataRetention", new { StreamName = name, CurrentVersion = version, Operation = "INCREASE_DATA_RETENTION", DataRetentionChangeInHours = 5 })).Ok();
        var info = await _client.DescribeAsync(name);
        Assert.Equal(15, info.GetProperty("DataRetentionInHours").GetInt32());
        version = info.GetProperty("Version").GetString();

        (await _client.KvsAsync("/updateDataRetention", new { StreamName = name, CurrentVersion = version, Operation = "DECREASE_DATA_RETENTION", DataRetentionChangeInHours = 12 })).Ok();
        info = await _client.DescribeAsync(name);
        Assert.Equal(3, info.GetProperty("DataRetentionInHours").GetInt32());

        (await _client.KvsAsync("/updateDataRetention", new { StreamName = name, CurrentVersion = version, Operation = "INCREASE_DATA_RETENTION", DataRetentionChangeInHours = 1 }))
            .Error(HttpStatusCode.BadRequest, "VersionMismatchException");
        (await _client.KvsAsync("/updateDataRetention", new { StreamName = name, CurrentVersion = info.GetProperty("Version").GetString(), Operation = "DECREASE_DATA_RETENTION", DataRetentionChangeInHours = 4 }))
            .Invalid("retention");
        (await _client.KvsAsync("/updateDataRetention", new { StreamName = name, CurrentVersion = info.GetProperty("Version").GetString(), Operation = "SHRINK", DataRetentionChangeInHours = 1 }))
            .Invalid("Operation");
    }

    [Fact]
    public async Task DeleteStream_by_ARN_makes_the_stream_ResourceNotFound_and_frees_its_name()
    {
        var name = KvsHttp.UniqueName();
        var arn = await _client.CreateStreamAsync(name);
        var version = (await _client.DescribeAsync(name)).GetProperty("Version").GetString();

        (await _client.KvsAsync("/deleteStream", new { StreamARN = arn, CurrentVersion = "stale0version" })).Error(HttpStatusCode.BadRequest, "VersionMismatchException");
        (await _client.KvsAsync("/deleteStream", new { StreamARN = arn, CurrentVersion = version })).Ok();
        (await _client.KvsAsync("/describeStream", new { StreamName = name })).Error(HttpStatusCode.NotFound, "ResourceNotFoundException");
        (await _client.KvsAsync("/deleteStream", new { StreamARN = arn })).Error(HttpStatusCode.NotFound, "ResourceNotFoundException");

        var again = await _client.CreateStreamAsync(name);
        Assert.NotEqual(arn, again);
    }

    [Fact]
    public async Task Updating_or_tagging_a_stream_that_does_not_exist_is_ResourceNotFound_404()
    {
        var name = KvsHttp.UniqueName();
        (await _client.KvsAsync("/updateStream", new { StreamName = name, CurrentVersion = "abc", DeviceName = "x" })).Error(HttpStatusCode.NotFound, "ResourceNotFoundException");
        (await _client.KvsAsync("/tagStream", new { StreamName = name, Tags = new Dictionary<string, string> { ["a"] = "b" } })).Error(HttpStatusCode.NotFound, "ResourceNotFoundException");
        (await _client.KvsAsync("/getDataEndpoint", new { StreamName = name, APIName = "PUT_MEDIA" })).Error(HttpStatusCode.NotFound, "ResourceNotFoundException");
    }

    [Fact]
    public async Task GetDataEndpoint_answers_the_servers_own_base_URL_for_every_API()
    {
        var name = KvsHttp.UniqueName();
        await _client.CreateStreamAsync(name);
        foreach (var api in new[] { "PUT_MEDIA", "GET_MEDIA", "LIST_FRAGMENTS", "GET_MEDIA_FOR_FRAGMENT_LIST", "GET_HLS_STREAMING_SESSION_URL", "GET_DASH_STREAMING_SESSION_URL", "GET_CLIP", "GET_IMAGES" })
        {
            var endpoint = (await _client.KvsAsync("/getDataEndpoint", new { StreamName = name, APIName = api })).Ok().Body.GetProperty("DataEndpoint").GetString();
            Assert.Equal(server.BaseUrl.GetLeftPart(UriPartial.Authority), endpoint);
        }
    }
}
