using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Json;
using VideoStreams.Media.Matroska;
using VideoStreams.Server.Tests.Playback;

namespace VideoStreams.Server.Tests.Ingest;

/// <summary>A fragment as ListFragments shows it.</summary>
internal sealed record ListedFragment(string Number, long SizeBytes, long ProducerMs, long ServerMs, long DurationMs);

/// <summary>What a user checks after an ingest: ListFragments, GetMedia, and the media tools' verdict on the output.</summary>
internal static class IngestReads
{
    /// <summary>Every fragment of the stream by producer timestamp (all of time), in producer-timestamp order.</summary>
    public static async Task<List<ListedFragment>> ListFragmentsAsync(this HttpClient client, string stream)
    {
        var all = new List<ListedFragment>();
        var answer = (await client.KvsAsync("/listFragments", new
        {
            StreamName = stream,
            MaxResults = 1000,
            FragmentSelector = new { FragmentSelectorType = "PRODUCER_TIMESTAMP", TimestampRange = new { StartTimestamp = 0, EndTimestamp = 4e9 } },
        })).Ok();
        while (true)
        {
            all.AddRange(answer.Body.GetProperty("Fragments").EnumerateArray().Select(f => new ListedFragment(
                f.GetProperty("FragmentNumber").GetString()!,
                f.GetProperty("FragmentSizeInBytes").GetInt64(),
                Ms(f.GetProperty("ProducerTimestamp").GetDouble()),
                Ms(f.GetProperty("ServerTimestamp").GetDouble()),
                f.GetProperty("FragmentLengthInMilliseconds").GetInt64())));
            if (!answer.Body.TryGetProperty("NextToken", out var token))
            {
                // KVS leaves the order unspecified.
                return [.. all.OrderBy(f => f.ProducerMs)];
            }

            answer = (await client.KvsAsync("/listFragments", new { StreamName = stream, MaxResults = 1000, NextToken = token.GetString() })).Ok();
        }
    }

    private static long Ms(double seconds) => (long)Math.Round(seconds * 1000);

    /// <summary>GetMedia from EARLIEST, read until <paramref name="chunks"/> chunks have ended, then hung up (it follows the live edge forever).</summary>
    public static async Task<byte[]> GetMediaEarliestAsync(this HttpClient client, string stream, int chunks)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var json = JsonSerializer.Serialize(new { StreamName = stream, StartSelector = new { StartSelectorType = "EARLIEST" } });
        using var request = new HttpRequestMessage(HttpMethod.Post, "getMedia") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync(cancel.Token);
        return await ReadChunksAsync(body, chunks, cancel.Token);
    }

    /// <summary>
    /// Reads a GetMedia body until <paramref name="chunks"/> chunks have ended, and returns exactly those chunks (the body
    /// follows the live edge and never ends by itself).
    /// </summary>
    public static async Task<byte[]> ReadChunksAsync(Stream body, int chunks, CancellationToken cancel)
    {
        var bytes = new MemoryStream();
        var buffer = new byte[64 * 1024];
        var reader = new MatroskaReader();
        var consumed = 0L;
        var ended = 0;
        while (ended < chunks)
        {
            // The continuation token is the last tag of a chunk; a chunk has ended once the Tags element holding it has
            // been read whole (a read can stop inside it, with the tag's name already there but not its value).
            var read = await body.ReadAsync(buffer, cancel);
            Assert.True(read > 0, "GetMedia ended before the expected chunks");
            bytes.Write(buffer, 0, read);
            var input = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes.GetBuffer(), (int)consumed, (int)(bytes.Length - consumed)));
            while (ended < chunks && reader.TryRead(ref input, out var e))
            {
                if (e.Kind == MatroskaEventKind.Tags && reader.LastTags.SelectMany(t => t.SimpleTags).Any(s => s.Name == "AWS_KINESISVIDEO_CONTINUATION_TOKEN"))
                {
                    ended++;
                }
            }

            consumed += input.Consumed;
        }

        // Stop where the last chunk's Tags element ends: what follows is the start of a chunk not asked for.
        return bytes.GetBuffer().AsSpan(0, (int)reader.Position).ToArray();
    }

    /// <summary>The values of every SimpleTag named <paramref name="name"/>, in document order.</summary>
    public static List<string> Tags(byte[] mkv, string name)
    {
        var values = new List<string>();
        new MatroskaReader().ReadAll(mkv, (MatroskaReader r, in MatroskaEvent e) =>
        {
            if (e.Kind == MatroskaEventKind.Tags)
            {
                values.AddRange(r.LastTags.SelectMany(t => t.SimpleTags).Where(s => s.Name == name).Select(s => s.Value!));
            }
        });
        return values;
    }

    /// <summary>For each document (GetMedia chunk), the producer tags (name=value) before its cluster.</summary>
    public static List<Dictionary<string, string>> ChunkTags(byte[] mkv)
    {
        var chunks = new List<Dictionary<string, string>>();
        var current = new Dictionary<string, string>();
        new MatroskaReader().ReadAll(mkv, (MatroskaReader r, in MatroskaEvent e) =>
        {
            switch (e.Kind)
            {
                case MatroskaEventKind.Tags:
                    foreach (var tag in r.LastTags.SelectMany(t => t.SimpleTags))
                    {
                        current[tag.Name] = tag.Value ?? "";
                    }

                    break;
                case MatroskaEventKind.ClusterStart:
                    chunks.Add(current);
                    current = [];
                    break;
            }
        });
        return chunks;
    }

    /// <summary>Cluster timecodes (ticks) of an MKV document, in order.</summary>
    public static List<long> ClusterTimecodes(byte[] mkv)
    {
        var timecodes = new List<long>();
        new MatroskaReader().ReadAll(mkv, (MatroskaReader r, in MatroskaEvent e) =>
        {
            if (e.Kind == MatroskaEventKind.ClusterStart)
            {
                timecodes.Add(r.ClusterTimestamp);
            }
        });
        return timecodes;
    }

    /// <summary>Blocks (frames) in an MKV document, as our reader sees them.</summary>
    public static int FrameCount(byte[] mkv)
    {
        var frames = 0;
        new MatroskaReader().ReadAll(mkv, (MatroskaReader r, in MatroskaEvent e) => frames += e.Kind == MatroskaEventKind.Frame ? 1 : 0);
        return frames;
    }

    /// <summary>Video frames ffmpeg decodes from a GetMedia answer; ffprobe and mkvinfo must accept it.</summary>
    public static int DecodedVideoFrames(byte[] mkv) => GetMediaStream.AssertPlayable(mkv);
}
