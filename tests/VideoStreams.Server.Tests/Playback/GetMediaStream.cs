using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Json;
using VideoStreams.Media.Matroska;

namespace VideoStreams.Server.Tests.Playback;

/// <summary>
/// A GetMedia response being read as a client would: open it (the server answers 200 with headers at once, also at an
/// idle live edge), then read until a number of chunks have ended, then hang up (it never ends by itself).
/// </summary>
internal sealed class GetMediaStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly Stream _body;
    private readonly MemoryStream _bytes = new();
    private readonly CancellationTokenSource _cancel;

    private GetMediaStream(HttpResponseMessage response, Stream body, CancellationTokenSource cancel)
    {
        _response = response;
        _body = body;
        _cancel = cancel;
    }

    /// <summary>Opens a GetMedia response; returns once the headers arrived (the server is following the stream).</summary>
    public static async Task<GetMediaStream> OpenAsync(HttpClient client, object request)
    {
        var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var message = new HttpRequestMessage(HttpMethod.Post, "/getMedia")
        {
            Content = new StringContent(JsonSerializer.Serialize(request), Encoding.UTF8, "application/json"),
        };
        var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("video/webm", response.Content.Headers.ContentType?.MediaType);
        return new GetMediaStream(response, await response.Content.ReadAsStreamAsync(cancel.Token), cancel);
    }

    /// <summary>Reads until <paramref name="chunks"/> chunks (in all) have ended; returns every byte read so far.</summary>
    public async Task<byte[]> ReadChunksAsync(int chunks, TimeSpan? timeout = null)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(_cancel.Token);
        limit.CancelAfter(timeout ?? TimeSpan.FromSeconds(20));
        var buffer = new byte[64 * 1024];
        long end;
        while ((end = EndOfChunk(_bytes.GetBuffer().AsMemory(0, (int)_bytes.Length), chunks)) < 0)
        {
            var read = await _body.ReadAsync(buffer, limit.Token);
            Assert.True(read > 0, "GetMedia ended before the expected chunks");
            _bytes.Write(buffer, 0, read);
        }

        // Exactly the chunks asked for: a read may already hold the start of the next one.
        return _bytes.GetBuffer().AsSpan(0, (int)end).ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _cancel.CancelAsync();
        await _body.DisposeAsync();
        _response.Dispose();
        _cancel.Dispose();
    }

    /// <summary>
    /// Where the <paramref name="chunks"/>-th chunk ends (its trailing Tags, with the continuation token, arrived
    /// whole), or -1 while it has not arrived yet; a chunk may be split across reads.
    /// </summary>
    private static long EndOfChunk(ReadOnlyMemory<byte> bytes, int chunks)
    {
        var mkv = new MatroskaReader();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        var count = 0;
        while (mkv.TryRead(ref reader, out var ev))
        {
            if (ev.Kind == MatroskaEventKind.Tags && mkv.LastTags.SelectMany(t => t.SimpleTags).Any(t => t.Name == "AWS_KINESISVIDEO_CONTINUATION_TOKEN")
                && ++count == chunks)
            {
                return reader.Consumed;
            }
        }

        return -1;
    }

    /// <summary>The values of every SimpleTag with that name, in document order.</summary>
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

    /// <summary>The video width each document of the response declares, in order.</summary>
    public static List<int> VideoWidths(byte[] mkv)
    {
        var widths = new List<int>();
        new MatroskaReader().ReadAll(mkv, (MatroskaReader r, in MatroskaEvent e) =>
        {
            if (e.Kind == MatroskaEventKind.Tracks)
            {
                widths.Add(r.Tracks.First(t => t.Type == MatroskaTrackType.Video).PixelWidth);
            }
        });
        return widths;
    }

    /// <summary>ffprobe decodes the whole response as H.264 and counts its video frames; mkvinfo reads the KVS tags.</summary>
    public static int AssertPlayable(byte[] mkv)
    {
        var path = Path.Combine(Path.GetTempPath(), $"vs-getmedia-{Guid.NewGuid():N}.mkv");
        File.WriteAllBytes(path, mkv);
        try
        {
            var frames = PlaybackSeed.Run("ffprobe", $"-v error -count_frames -select_streams v:0 -show_entries stream=codec_name,nb_read_frames -of csv=p=0 {path}").Trim();
            Assert.StartsWith("h264,", frames, StringComparison.Ordinal);
            var info = PlaybackSeed.Run("mkvinfo", path);
            Assert.Contains("AWS_KINESISVIDEO_FRAGMENT_NUMBER", info, StringComparison.Ordinal);
            return int.Parse(frames["h264,".Length..], System.Globalization.CultureInfo.InvariantCulture);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
