using System.Net;
using System.Text;
using System.Text.Json;

namespace VideoStreams.Server.Tests;

/// <summary>What the server answered to a KVS call: status, error name (x-amzn-ErrorType) and the JSON body.</summary>
internal sealed record KvsAnswer(HttpStatusCode Status, string? ErrorType, JsonElement Body, HttpResponseMessage Response)
{
    public string? Message => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty(nameof(Message), out var m) ? m.GetString() : null;

    public KvsAnswer Ok()
    {
        Assert.True(Status == HttpStatusCode.OK, $"expected 200, got {(int)Status} {ErrorType}: {Message}");
        return this;
    }

    public KvsAnswer Error(HttpStatusCode status, string errorType)
    {
        Assert.Equal(errorType, ErrorType);
        Assert.Equal(status, Status);
        Assert.False(string.IsNullOrEmpty(Message), "an error body carries a Message");
        return this;
    }

    public KvsAnswer Invalid(string mentions)
    {
        Error(HttpStatusCode.BadRequest, "InvalidArgumentException");
        Assert.Contains(mentions, Message, StringComparison.Ordinal);
        return this;
    }
}

/// <summary>POSTs KVS JSON operations the way the SDKs do.</summary>
internal static class KvsHttp
{
    public static Task<KvsAnswer> KvsAsync(this HttpClient client, string path, object body) =>
        client.KvsRawAsync(path, JsonSerializer.Serialize(body));

    public static async Task<KvsAnswer> KvsRawAsync(this HttpClient client, string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        var response = await client.PostAsync(path.TrimStart('/'), content);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        var errorType = response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.Single() : null;
        return new KvsAnswer(response.StatusCode, errorType, body, response);
    }

    public static async Task<string> CreateStreamAsync(this HttpClient client, string name, int retentionHours = 0)
    {
        var answer = (await client.KvsAsync("/createStream", new { StreamName = name, DataRetentionInHours = retentionHours })).Ok();
        return answer.Body.GetProperty("StreamARN").GetString()!;
    }

    public static async Task<JsonElement> DescribeAsync(this HttpClient client, string name) =>
        (await client.KvsAsync("/describeStream", new { StreamName = name })).Ok().Body.GetProperty("StreamInfo");

    /// <summary>The server still answers: health and a control-plane call.</summary>
    public static async Task AssertServingAsync(this HttpClient client)
    {
        using var health = await client.GetAsync("health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        (await client.KvsAsync("/listStreams", new { MaxResults = 1 })).Ok();
    }

    public static string UniqueName(string prefix = "s") => $"{prefix}-{Guid.NewGuid():N}";
}
