using System.Globalization;
using System.Net;
using VideoStreams.Media.Matroska;

namespace VideoStreams.Server.Tests.Crash;

/// <summary>A ListFragments entry.</summary>
internal sealed record ListedFragment(string Number, long ProducerMs, long Size);

/// <summary>One GetMediaForFragmentList chunk: its fragment number and producer timestamp tags and the cluster bytes.</summary>
internal sealed record ReadFragment(string? Number, string? ProducerTimestamp, byte[]? Cluster, string? ErrorCode);

/// <summary>What a client of the server sees of a stream's fragments, over HTTP only.</summary>
internal static class StoredFragments
{
    /// <summary>Every fragment whose producer timestamp is from <paramref name="fromMs"/> on, all pages.</summary>
    public static async Task<List<ListedFragment>> ListAsync(HttpClient client, string stream, long fromMs)
    {
        var listed = new List<ListedFragment>();
        string? token = null;
        do
        {
            object body = token is null
                ? new
                {
                    StreamName = stream,
                    MaxResults = 1000,
                    FragmentSelector = new
                    {
                        FragmentSelectorType = "PRODUCER_TIMESTAMP",
                        TimestampRange = new { StartTimestamp = fromMs / 1000.0, EndTimestamp = (fromMs / 1000.0) + 86_400 },
                    },
                }
                : new { StreamName = stream, MaxResults = 1000, NextToken = token };
            var page = (await client.KvsAsync("/listFragments", body)).Ok().Body;
            foreach (var f in page.GetProperty("Fragments").EnumerateArray())
            {
                listed.Add(new ListedFragment(
                    f.GetProperty("FragmentNumber").GetString()!,
                    (long)Math.Round(f.GetProperty("ProducerTimestamp").GetDouble() * 1000),
                    f.GetProperty("FragmentSizeInBytes").GetInt64()));
            }

            token = page.TryGetProperty("NextToken", out var next) ? next.GetString() : null;
        }
        while (token is not null);

        return listed;
    }

    /// <summary>GetMediaForFragmentList of <paramref name="numbers"/>, split into its chunks.</summary>
    public static async Task<List<ReadFragment>> ReadAsync(HttpClient client, string stream, IReadOnlyList<string> numbers)
    {
        using var content = JsonContent(new { StreamName = stream, Fragments = numbers });
        using var response = await client.PostAsync("getMediaForFragmentList", content);
        var mkv = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GetMediaForFragmentList answered {(int)response.StatusCode}");

        var chunks = new List<ReadFragment>();
        string? number = null, producer = null, error = null;
        byte[]? cluster = null;
        long clusterStart = -1;
        var started = false;
        new MatroskaReader().ReadAll(mkv, (MatroskaReader r, in MatroskaEvent e) =>
        {
            switch (e.Kind)
            {
                case MatroskaEventKind.EbmlHeader:
                    // Each chunk is a document of its own; the previous one is complete.
                    if (started)
                    {
                        chunks.Add(new ReadFragment(number, producer, cluster, error));
                    }

                    started = true;
                    (number, producer, cluster, error) = (null, null, null, null);
                    break;
                case MatroskaEventKind.Tags:
                    foreach (var tag in r.LastTags.SelectMany(t => t.SimpleTags))
                    {
                        switch (tag.Name)
                        {
                            case "AWS_KINESISVIDEO_FRAGMENT_NUMBER":
                                number = tag.Value;
                                break;
                            case "AWS_KINESISVIDEO_PRODUCER_TIMESTAMP":
                                producer = tag.Value;
                                break;
                            case "AWS_KINESISVIDEO_EXCEPTION_ERROR_CODE" or "AWS_KINESISVIDEO_ERROR_CODE":
                                error = tag.Value;
                                break;
                        }
                    }

                    break;
                case MatroskaEventKind.ClusterStart:
                    Assert.Null(cluster); // one cluster per chunk
                    clusterStart = r.ClusterOffset;
                    break;
                case MatroskaEventKind.ClusterEnd:
                    cluster = mkv[(int)clusterStart..(int)e.Offset];
                    break;
            }
        });
        if (started)
        {
            chunks.Add(new ReadFragment(number, producer, cluster, error));
        }

        return chunks;
    }

    /// <summary>Epoch milliseconds as GetMedia's producer timestamp tag writes them (seconds with 3 decimals).</summary>
    public static string TagSeconds(long ms) => string.Create(CultureInfo.InvariantCulture, $"{ms / 1000}.{ms % 1000:D3}");

    private static StringContent JsonContent(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");
}
