using VideoStreams.Server.Tests;

namespace VideoStreams.EndToEnd.Tests.Support;

/// <summary>KVS calls the browser tests make before handing a URL to the page.</summary>
internal static class Sessions
{
    /// <summary>POST /getHLSStreamingSessionURL; fails the test with the server's error when it is not 200.</summary>
    public static async Task<Uri> HlsUrlAsync(this HttpClient client, object request)
    {
        var answer = (await client.KvsAsync("/getHLSStreamingSessionURL", request)).Ok();
        return new Uri(answer.Body.GetProperty("HLSStreamingSessionURL").GetString()!);
    }

    /// <summary>Fragments whose server time is within the last hour (ListFragments, every page).</summary>
    public static async Task<int> CountRecentFragmentsAsync(this HttpClient client, string stream)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        var count = 0;
        string? next = null;
        do
        {
            object request = next is null
                ? new { StreamName = stream, FragmentSelector = new { FragmentSelectorType = "SERVER_TIMESTAMP", TimestampRange = new { StartTimestamp = now - 3600, EndTimestamp = now + 60 } } }
                : new { StreamName = stream, NextToken = next };
            var page = (await client.KvsAsync("/listFragments", request)).Ok().Body;
            count += page.GetProperty("Fragments").GetArrayLength();
            next = page.TryGetProperty("NextToken", out var token) ? token.GetString() : null;
        }
        while (next is not null);
        return count;
    }

    /// <summary>
    /// Creates a stream and starts a camera streaming into it, then waits until its first fragments are listed (LIVE
    /// needs recent fragments: KVS answers ResourceNotFound without them).
    /// </summary>
    public static async Task<LiveIngest> StartCameraAsync(this HttpClient client, Uri server, string stream, int fragments = 3)
    {
        await client.CreateStreamAsync(stream, retentionHours: 1);
        var camera = LiveIngest.Start(server, stream);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await client.CountRecentFragmentsAsync(stream) < fragments)
        {
            if (DateTime.UtcNow >= deadline)
            {
                await camera.DisposeAsync();
                Assert.Fail($"the camera's fragments were not listed within 60 s ({camera.ClustersSent} sent)");
            }

            await Task.Delay(250);
        }

        return camera;
    }

    /// <summary>KVS timestamps on the wire: epoch seconds with milliseconds.</summary>
    public static double Seconds(long ms) => ms / 1000.0;
}
