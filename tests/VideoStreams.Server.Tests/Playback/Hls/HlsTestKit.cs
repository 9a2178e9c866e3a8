using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using VideoStreams.Server.Playback;
using VideoStreams.Server.Tests.Ingest;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Tests.Playback.Hls;

/// <summary>A fetched HLS resource.</summary>
internal sealed record HlsFetched(HttpStatusCode Status, string? ContentType, byte[] Body, HttpResponseMessage Response)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Body);

    public HlsFetched Ok(string contentType)
    {
        Assert.True(Status == HttpStatusCode.OK, $"expected 200, got {(int)Status}: {Text}");
        Assert.Equal(contentType, ContentType);
        return this;
    }
}

/// <summary>Session URLs, resource fetches, seeding with a second codec configuration, tools and tfdt reading for the HLS tests.</summary>
internal static class HlsTestKit
{
    public const string Playlist = "application/vnd.apple.mpegurl";
    public const string Mp4 = "video/mp4";

    public static async Task<Uri> SessionAsync(this HttpClient client, object body)
    {
        var answer = (await client.KvsAsync("/getHLSStreamingSessionURL", body)).Ok();
        var url = new Uri(answer.Body.GetProperty("HLSStreamingSessionURL").GetString()!);
        Assert.EndsWith("/hls/v1/getHLSMasterPlaylist.m3u8", url.GetLeftPart(UriPartial.Path), StringComparison.Ordinal);
        return url;
    }

    public static async Task<HlsFetched> FetchAsync(this HttpClient client, Uri url, HttpMethod? method = null, string? origin = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, url);
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        return new HlsFetched(response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, response);
    }

    /// <summary>The media playlist URL the master names, resolved against the master's URL.</summary>
    public static async Task<Uri> MediaPlaylistUrlAsync(this HttpClient client, Uri master)
    {
        var text = (await client.FetchAsync(master)).Ok(Playlist).Text;
        var lines = text.Split('\n');
        var inf = Array.FindIndex(lines, l => l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal));
        Assert.True(inf >= 0, text);
        return new Uri(master, lines[inf + 1]);
    }

    public static async Task<HlsParsedPlaylist> PlaylistAsync(this HttpClient client, Uri media) =>
        HlsParsedPlaylist.Parse((await client.FetchAsync(media)).Ok(Playlist).Text);

    /// <summary>
    /// Appends fragments of the ingest tests' video (encoded without B-frames, so its codec private data differs from
    /// <see cref="PlaybackSeed"/>'s): one-second clusters with absolute producer times, a session header of its own.
    /// </summary>
    public static async Task<IReadOnlyList<FragmentEntry>> AppendOtherCodecAsync(ServerFixture server, string streamName, long producerStartMs, long serverStartMs, int count)
    {
        var store = server.Services.GetRequiredService<FragmentStore>();
        var stream = store.Streams.Describe(new Storage.Streams.StreamRef(streamName, null)).Value!;
        using var mkv = new ProducerMkv();
        for (var i = 0; i < count; i++)
        {
            mkv.Cluster(producerStartMs + (i * 1000L), i);
        }

        var bytes = mkv.ToArray();
        var header = SessionHeader.Encode(new Media.Matroska.MatroskaSegmentInfo { TimestampScale = 1_000_000 }, [TestVideo.Track]);
        var entries = new List<FragmentEntry>();
        for (var i = 0; i < count; i++)
        {
            var end = i + 1 < count ? mkv.ClusterStarts[i + 1] : bytes.Length;
            var appended = store.Append(stream.Id, new NewFragment(producerStartMs + (i * 1000L), serverStartMs + (i * 1000L), 1000,
                FragmentFlags.StartsWithKeyframe | FragmentFlags.HasVideo, bytes.AsMemory(mkv.ClusterStarts[i], end - mkv.ClusterStarts[i]), [new(SessionHeader.TagName, header)]));
            Assert.True(appended.IsSuccess, appended.Message);
            var persisted = await appended.Value!.Persisted;
            Assert.True(persisted.IsSuccess, persisted.Message);
            entries.Add(persisted.Value);
        }

        return entries;
    }

    /// <summary>Runs a tool; returns its exit code, standard output and standard error.</summary>
    public static (int Exit, string Output, string Error) Tool(string tool, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Every video frame ffmpeg decodes from the file, failing on any decoder message.</summary>
    public static int DecodeFrames(string path)
    {
        var (exit, _, error) = Tool("ffmpeg", $"-v error -i {path} -map 0:v:0 -f null -");
        Assert.True(exit == 0 && error.Length == 0, $"ffmpeg could not decode {path}: {error}");
        var (probeExit, frames, probeError) = Tool("ffprobe", $"-v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames,width,height -of csv=p=0 {path}");
        Assert.True(probeExit == 0, probeError);
        return int.Parse(frames.Trim().Split(',')[^1], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The first track fragment of a moof + mdat: mfhd sequence, tfdt and the sum of its sample durations.</summary>
    public static (uint Sequence, long DecodeTime, long Duration) ReadFragment(ReadOnlySpan<byte> segment)
    {
        var moof = Child(segment, "moof"u8);
        var sequence = BinaryPrimitives.ReadUInt32BigEndian(Child(moof, "mfhd"u8)[4..]);
        var traf = Child(moof, "traf"u8);
        var tfhd = Child(traf, "tfhd"u8);
        var tfhdFlags = BinaryPrimitives.ReadUInt32BigEndian(tfhd) & 0xFFFFFF;
        var at = 8 + ((tfhdFlags & 1) != 0 ? 8 : 0) + ((tfhdFlags & 2) != 0 ? 4 : 0);
        var defaultDuration = (tfhdFlags & 8) != 0 ? BinaryPrimitives.ReadUInt32BigEndian(tfhd[at..]) : 0u;
        var tfdt = Child(traf, "tfdt"u8);
        var decodeTime = tfdt[0] == 1 ? (long)BinaryPrimitives.ReadUInt64BigEndian(tfdt[4..]) : BinaryPrimitives.ReadUInt32BigEndian(tfdt[4..]);
        var trun = Child(traf, "trun"u8);
        var flags = BinaryPrimitives.ReadUInt32BigEndian(trun) & 0xFFFFFF;
        var count = BinaryPrimitives.ReadUInt32BigEndian(trun[4..]);
        var pos = 8 + ((flags & 1) != 0 ? 4 : 0) + ((flags & 4) != 0 ? 4 : 0);
        var perSample = ((flags & 0x100) != 0 ? 4 : 0) + ((flags & 0x200) != 0 ? 4 : 0) + ((flags & 0x400) != 0 ? 4 : 0) + ((flags & 0x800) != 0 ? 4 : 0);
        long total = 0;
        for (var i = 0; i < count; i++, pos += perSample)
        {
            total += (flags & 0x100) != 0 ? BinaryPrimitives.ReadUInt32BigEndian(trun[pos..]) : defaultDuration;
        }

        return (sequence, decodeTime, total);
    }

    /// <summary>The payload (after the full-box or box header) of the first child box of that type.</summary>
    private static ReadOnlySpan<byte> Child(ReadOnlySpan<byte> parent, ReadOnlySpan<byte> type)
    {
        var pos = 0;
        while (pos + 8 <= parent.Length)
        {
            var size = (int)BinaryPrimitives.ReadUInt32BigEndian(parent[pos..]);
            Assert.True(size >= 8 && pos + size <= parent.Length, "a box runs past its parent");
            if (parent.Slice(pos + 4, 4).SequenceEqual(type))
            {
                return parent.Slice(pos + 8, size - 8);
            }

            pos += size;
        }

        Assert.Fail($"no {System.Text.Encoding.ASCII.GetString(type)} box");
        return default;
    }
}
