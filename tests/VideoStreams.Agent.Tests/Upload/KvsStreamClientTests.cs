using VideoStreams.Producer.Upload;
using VideoStreams.Server.Tests;

namespace VideoStreams.Agent.Tests.Upload;

/// <summary>The control-plane client against the real server.</summary>
public sealed class KvsStreamClientTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task A_missing_stream_is_described_as_null_then_created_described_and_given_a_PutMedia_endpoint()
    {
        using var client = new KvsStreamClient(server.BaseUrl);
        var name = "client-" + Guid.NewGuid().ToString("N")[..12];

        Assert.Null(await client.DescribeStreamAsync(name));
        var arn = await client.CreateStreamAsync(name, retentionHours: 24, mediaType: "video/h264", deviceName: "camera-7");
        var described = await client.DescribeStreamAsync(name);
        var endpoint = await client.GetDataEndpointAsync(name, "PUT_MEDIA");

        Assert.NotNull(described);
        Assert.Equal(name, described.StreamName);
        Assert.Equal(arn, described.StreamArn);
        Assert.Equal(24, described.DataRetentionInHours);
        Assert.Equal("video/h264", described.MediaType);
        Assert.Equal("camera-7", described.DeviceName);
        Assert.Contains(described.Status, new[] { "CREATING", "ACTIVE" });
        Assert.NotNull(described.CreationTime);
        Assert.Equal(server.BaseUrl.Port, endpoint.Port);
    }

    [Fact]
    public async Task Errors_carry_the_status_and_the_KVS_error_name()
    {
        using var client = new KvsStreamClient(server.BaseUrl, new KvsCredentials("AKIDEXAMPLE", "secret"));
        var name = "client-" + Guid.NewGuid().ToString("N")[..12];
        await client.CreateStreamAsync(name, retentionHours: 1);

        var taken = await Assert.ThrowsAsync<KvsClientException>(() => client.CreateStreamAsync(name, retentionHours: 1));
        var missing = await Assert.ThrowsAsync<KvsClientException>(() => client.GetDataEndpointAsync("no-such-" + name, "PUT_MEDIA"));

        Assert.Equal((400, "ResourceInUseException"), (taken.StatusCode, taken.ErrorType));
        Assert.Equal((404, "ResourceNotFoundException"), (missing.StatusCode, missing.ErrorType));
        Assert.Contains("getDataEndpoint", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_is_a_clear_error()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = new KvsStreamClient(new Uri($"http://127.0.0.1:{port}/"));

        var error = await Assert.ThrowsAsync<KvsClientException>(() => client.DescribeStreamAsync("any"));

        Assert.Equal(0, error.StatusCode);
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
    }
}
