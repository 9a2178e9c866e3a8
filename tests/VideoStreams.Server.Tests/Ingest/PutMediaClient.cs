using System.Net;
using System.Text.Json;

namespace VideoStreams.Server.Tests.Ingest;

/// <summary>A PutMedia answer: the status and every ack line, parsed.</summary>
internal sealed record PutMediaAnswer(HttpStatusCode Status, IReadOnlyList<JsonElement> Acks)
{
    public IEnumerable<JsonElement> OfType(string type) => Acks.Where(a => a.GetProperty("EventType").GetString() == type);

    public void NoErrors() => Assert.True(ErrorIds.Count == 0, "unexpected ERROR acks: " + string.Join("\n", OfType("ERROR")));

    public override string ToString() => string.Join("\n", Acks.Select(a => a.GetRawText()));

    public IReadOnlyList<int> ErrorIds => [.. OfType("ERROR").Select(a => a.GetProperty("ErrorId").GetInt32())];
}

/// <summary>Uploads MKV bytes as a chunked POST /putMedia, as cameras do, and reads the acks to the end.</summary>
internal static class PutMediaClient
{
    public const long StartMs = 1_700_000_000_000;

    public static async Task<PutMediaAnswer> PutMediaAsync(this HttpClient client, string stream, Stream body,
        string timecodeType = "RELATIVE", long startMs = StartMs)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "putMedia") { Content = new StreamContent(body, 16 * 1024) };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Add("x-amzn-stream-name", stream);
        request.Headers.Add("x-amzn-fragment-timecode-type", timecodeType);
        request.Headers.Add("x-amzn-producer-start-timestamp", $"{startMs / 1000}.{startMs % 1000:D3}");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var acks = new List<JsonElement>();
        if (response.StatusCode == HttpStatusCode.OK)
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            while (await reader.ReadLineAsync() is { } line)
            {
                acks.Add(JsonDocument.Parse(line).RootElement.Clone());
            }
        }

        return new PutMediaAnswer(response.StatusCode, acks);
    }

    public static async Task CreateStreamAsync(this HttpClient client, string name, int retentionHours = 1) =>
        (await client.KvsAsync("createStream", new { StreamName = name, DataRetentionInHours = retentionHours })).Ok();

    public static string Sample(string name)
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !Directory.Exists(Path.Combine(dir, "media-samples")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return Path.Combine(dir ?? "/work/main", "media-samples", name);
    }
}
