using System.Net;

using VideoStreams.Server.Tests;

namespace VideoStreams.EndToEnd.Tests;

/// <summary>The fixture the browser tests stand on: a real server on 127.0.0.1 answering its health check.</summary>
public sealed class ServerStartsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task The_server_under_the_browser_tests_answers_its_health_check()
    {
        using var client = server.CreateClient();
        using var response = await client.GetAsync("health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
