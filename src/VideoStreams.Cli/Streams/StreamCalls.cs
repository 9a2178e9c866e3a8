using System.Text.Json;
using VideoStreams.Cli.Remote;

namespace VideoStreams.Cli.Streams;

/// <summary>The control-plane calls the stream commands make.</summary>
internal static class StreamCalls
{
    public static async Task<StreamInfo> DescribeAsync(VsClient client, string name, CancellationToken cancellationToken)
    {
        using var answer = await client.KvsAsync("describeStream", w => w.WriteString("StreamName", name), cancellationToken);
        return StreamInfo.From(answer.RootElement.GetProperty("StreamInfo"));
    }

    public static async Task<Dictionary<string, string>> TagsAsync(VsClient client, string name, CancellationToken cancellationToken)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            using var answer = await client.KvsAsync("listTagsForStream", w =>
            {
                w.WriteString("StreamName", name);
                if (token is not null)
                {
                    w.WriteString("NextToken", token);
                }
            }, cancellationToken);
            if (answer.RootElement.TryGetProperty("Tags", out var page) && page.ValueKind == JsonValueKind.Object)
            {
                foreach (var tag in page.EnumerateObject())
                {
                    tags[tag.Name] = tag.Value.GetString() ?? "";
                }
            }

            token = answer.RootElement.TryGetProperty("NextToken", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (!string.IsNullOrEmpty(token));

        return tags;
    }

    public static async Task<List<StreamInfo>> ListAsync(VsClient client, string? prefix, CancellationToken cancellationToken)
    {
        var streams = new List<StreamInfo>();
        string? token = null;
        do
        {
            using var answer = await client.KvsAsync("listStreams", w =>
            {
                if (token is not null)
                {
                    w.WriteString("NextToken", token);
                }

                if (prefix is not null)
                {
                    w.WriteStartObject("StreamNameCondition");
                    w.WriteString("ComparisonOperator", "BEGINS_WITH");
                    w.WriteString("ComparisonValue", prefix);
                    w.WriteEndObject();
                }
            }, cancellationToken);
            foreach (var info in answer.RootElement.GetProperty("StreamInfoList").EnumerateArray())
            {
                streams.Add(StreamInfo.From(info));
            }

            token = answer.RootElement.TryGetProperty("NextToken", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (!string.IsNullOrEmpty(token));

        return streams;
    }
}
