using System.Net;
using VideoStreams.Server.Tests;

namespace VideoStreams.Agent.Tests;

public sealed class ServerSmokeTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task The_in_process_server_answers_health()
    {
        using var client = server.CreateClient();
        using var response = await client.GetAsync(new Uri("health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
