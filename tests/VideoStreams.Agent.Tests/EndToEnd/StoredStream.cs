using System.Buffers;
using System.Globalization;
using System.Net;
using System.Numerics;
using System.Text;
using System.Text.Json;
using VideoStreams.Media.Matroska;

namespace VideoStreams.Agent.Tests.EndToEnd;

/// <summary>A fragment as ListFragments shows it; times in epoch milliseconds.</summary>
internal sealed record ListedFragment(string Number, long ProducerMs, long ServerMs, long DurationMs, long SizeBytes)
{
    /// <summary>Fragment numbers are decimal strings (47 digits here, like KVS's); they compare as numbers.</summary>
    public BigInteger NumericNumber => BigInteger.Parse(Number, CultureInfo.InvariantCulture);

    public long EndMs => ProducerMs + DurationMs;
}

/// <summary>One video frame of a stored fragment, as read back from GetMediaForFragmentList.</summary>
internal sealed record StoredFrame(long AbsoluteMs, bool IsKeyframe, bool HasIdr, int Size);

/// <summary>One fragment read back: its number and producer timestamp tags, cluster timestamp and video frames.</summary>
internal sealed record StoredFragment(string Number, long ProducerMs, long ClusterTimestampMs, IReadOnlyList<StoredFrame> Frames, string? ErrorCode);

/// <summary>What a user of the server sees of a stream, over HTTP only: ListFragments and GetMediaForFragmentList.</summary>
internal static class StoredStream
{
    /// <summary>Every fragment of <paramref name="stream"/> (all of time, all pages), in producer-timestamp order.</summary>
    public static async Task<List<ListedFragment>> ListAsync(HttpClient client, string stream)
    {
        var all = new List<ListedFragment>();
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
                        TimestampRange = new { StartTimestamp = 0, EndTimestamp = 4e9 },
                    },
                }
                : new { StreamName = stream, MaxResults = 1000, NextToken = token };
            using var page = await PostJsonAsync(client, "listFragments", body);
            foreach (var f in page.RootElement.GetProperty("Fragments").EnumerateArray())
            {
                all.Add(new ListedFragment(
                    f.GetProperty("FragmentNumber").GetString()!,
                    Ms(f.GetProperty("ProducerTimestamp").GetDouble()),
                    Ms(f.GetProperty("ServerTimestamp").GetDouble()),
                    f.GetProperty("FragmentLengthInMilliseconds").GetInt64(),
                    f.GetProperty("FragmentSizeInBytes").GetInt64()));
            }

            token = page.RootElement.TryGetProperty("NextToken", out var next) ? next.GetString() : null;
        }
        while (token is not null);

        // KVS leaves the order unspecified.
        return [.. all.OrderBy(f => f.ProducerMs)];
    }

    /// <summary>ListFragments, or an empty list while the stream does not exist yet.</summary>
    public static async Task<List<ListedFragment>> ListOrEmptyAsync(HttpClient client, string stream)
    {
        try
        {
            return await ListAsync(client, stream);
        }
        catch (KvsCallException e) when (e.ErrorType == "ResourceNotFoundException")
        {
            return [];
        }
    }

    /// <summary>
    /// GetMediaForFragmentList of <paramref name="numbers"/> (in batches of 500), written one after the other into
    /// <paramref name="path"/>: one MKV document per fragment, which ffmpeg and ffprobe read as one stream.
    /// </summary>
    public static async Task SaveMediaAsync(HttpClient client, string stream, IReadOnlyList<string> numbers, string path)
    {
        await using var file = File.Create(path);
        foreach (var batch in numbers.Chunk(500))
        {
            using var content = Json(new { StreamName = stream, Fragments = batch });
            using var response = await client.PostAsync(new Uri("getMediaForFragmentList", UriKind.Relative), content);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GetMediaForFragmentList answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(bytes)}");
            await file.WriteAsync(bytes);
        }
    }

    /// <summary>Reads a saved GetMediaForFragmentList answer back into fragments and their video frames.</summary>
    public static List<StoredFragment> Read(string path)
    {
        var mkv = File.ReadAllBytes(path);
        var fragments = new List<StoredFragment>();
        string? number = null, producer = null, error = null;
        List<StoredFrame>? frames = null;
        long clusterMs = 0;
        ulong videoTrack = 0;
        double msPerTick = 1;
        var started = false;
        void Complete()
        {
            var producerMs = producer is null ? -1 : (long)Math.Round(double.Parse(producer, CultureInfo.InvariantCulture) * 1000);
            fragments.Add(new StoredFragment(number ?? "?", producerMs, clusterMs, frames ?? [], error));
        }

        new MatroskaReader().ReadAll(mkv, (MatroskaReader r, in MatroskaEvent e) =>
        {
            switch (e.Kind)
            {
                case MatroskaEventKind.EbmlHeader:
                    // Each fragment is a document of its own; the previous one is complete.
                    if (started)
                    {
                        Complete();
                    }

                    started = true;
                    (number, producer, error, frames) = (null, null, null, []);
                    break;
                case MatroskaEventKind.Info:
                    msPerTick = r.Info.TimestampScale / 1e6;
                    break;
                case MatroskaEventKind.Tracks:
                    videoTrack = r.Tracks.FirstOrDefault(t => t.Type == MatroskaTrackType.Video)?.Number ?? 0;
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
                    clusterMs = (long)Math.Round(r.ClusterTimestamp * msPerTick);
                    break;
                case MatroskaEventKind.Frame when e.Frame.TrackNumber == videoTrack:
                    var data = e.Frame.Data.ToArray();
                    var offsetMs = (long)Math.Round(e.Frame.Timestamp * msPerTick) - clusterMs;
                    var producerMs = producer is null ? clusterMs : (long)Math.Round(double.Parse(producer, CultureInfo.InvariantCulture) * 1000);
                    frames!.Add(new StoredFrame(producerMs + offsetMs, e.Frame.IsKeyframe, ContainsIdr(data), data.Length));
                    break;
            }
        });
        if (started)
        {
            Complete();
        }

        return fragments;
    }

    /// <summary>
    /// Writes each document (fragment) of a saved GetMediaForFragmentList answer to its own file in
    /// <paramref name="folder"/>, in order. ffmpeg reads one document per file cleanly; in a concatenation it notes
    /// every further unknown-size Segment.
    /// </summary>
    public static List<string> SplitDocuments(string path, string folder)
    {
        var mkv = File.ReadAllBytes(path);
        var starts = new List<long>();
        new MatroskaReader().ReadAll(mkv, (MatroskaReader r, in MatroskaEvent e) =>
        {
            if (e.Kind == MatroskaEventKind.EbmlHeader)
            {
                starts.Add(e.Offset);
            }
        });
        starts.Add(mkv.Length);
        Directory.CreateDirectory(folder);
        var files = new List<string>();
        for (var i = 0; i + 1 < starts.Count; i++)
        {
            var file = Path.Combine(folder, $"fragment-{i:D4}.mkv");
            File.WriteAllBytes(file, mkv[(int)starts[i]..(int)starts[i + 1]]);
            files.Add(file);
        }

        return files;
    }

    /// <summary>True when the AVCC (4-byte lengths) access unit holds an IDR slice (NAL type 5).</summary>
    public static bool ContainsIdr(ReadOnlySpan<byte> accessUnit)
    {
        while (accessUnit.Length >= 5)
        {
            var length = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(accessUnit);
            if (length == 0 || length > accessUnit.Length - 4)
            {
                return false;
            }

            if ((accessUnit[4] & 0x1F) == 5)
            {
                return true;
            }

            accessUnit = accessUnit[(4 + (int)length)..];
        }

        return false;
    }

    /// <summary>Creates the stream if it does not exist (retention in hours).</summary>
    public static async Task CreateStreamAsync(HttpClient client, string stream, int retentionHours = 24)
    {
        using var _ = await PostJsonAsync(client, "createStream", new { StreamName = stream, DataRetentionInHours = retentionHours });
    }

    private static async Task<JsonDocument> PostJsonAsync(HttpClient client, string operation, object body)
    {
        using var content = Json(body);
        using var response = await client.PostAsync(new Uri(operation, UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var errorType = response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.Single() : null;
            throw new KvsCallException(operation, (int)response.StatusCode, errorType, text);
        }

        return JsonDocument.Parse(text);
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static long Ms(double seconds) => (long)Math.Round(seconds * 1000);
}

/// <summary>A KVS operation answered with an error.</summary>
internal sealed class KvsCallException(string operation, int status, string? errorType, string body)
    : Exception($"{operation} answered {status} {errorType}: {body}")
{
    public string? ErrorType { get; } = errorType;
}
