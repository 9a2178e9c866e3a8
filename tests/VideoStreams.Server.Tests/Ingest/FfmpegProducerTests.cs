using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace VideoStreams.Server.Tests.Ingest;

/// <summary>
/// "A producer nobody here wrote": ffmpeg's own live Matroska (sized clusters with CRC-32 elements) piped into curl,
/// as in issue 6. The bytes go ffmpeg → test → curl, so the test knows what was sent and when the upload ended.
/// </summary>
public sealed class FfmpegProducerTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const long ProducerStartMs = 1_764_000_000_250;

    private static Process StartFfmpeg(int seconds, bool realTime)
    {
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])[
            "-v", "error", .. realTime ? (string[])["-re"] : [],
            "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-t", $"{seconds}",
            "-c:v", "libx264", "-tune", "zerolatency", "-g", "30", "-keyint_min", "30", "-sc_threshold", "0",
            "-f", "matroska", "-live", "1", "-cluster_size_limit", "50000000", "-cluster_time_limit", "1000", "-",
        ])
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info)!;
    }

    private static string Type(JsonElement ack) => ack.GetProperty("EventType").GetString()!;

    [Fact]
    public async Task Ffmpeg_live_matroska_through_curl_is_persisted_listed_as_1s_fragments_and_read_back_frame_for_frame()
    {
        using var client = server.CreateClient();
        var name = KvsHttp.UniqueName("ffmpeg");
        await client.CreateStreamAsync(name, retentionHours: 24);

        await using var curl = CurlPutMedia.Start(server.BaseUrl, name, "RELATIVE", ProducerStartMs);
        using var ffmpeg = StartFfmpeg(seconds: 20, realTime: false);
        var ffmpegErrors = ffmpeg.StandardError.ReadToEndAsync();
        var sent = new MemoryStream();
        await curl.PipeFromAsync(ffmpeg.StandardOutput.BaseStream, sent);
        var answer = await curl.FinishAsync(TimeSpan.FromSeconds(60));
        await ffmpeg.WaitForExitAsync();
        Assert.True(ffmpeg.ExitCode == 0, await ffmpegErrors);

        // What ffmpeg produced: ~20 one-second clusters, 600 frames.
        var source = sent.ToArray();
        var clusters = IngestReads.ClusterTimecodes(source);
        Assert.InRange(clusters.Count, 19, 21);
        var sourceFrames = IngestReads.FrameCount(source);
        Assert.Equal(600, sourceFrames);

        // Every fragment acked BUFFERING, RECEIVED, PERSISTED, in order; no ERROR.
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        answer.NoErrors();
        var persisted = answer.OfType("PERSISTED").ToList();
        Assert.Equal(clusters, persisted.Select(a => a.GetProperty("FragmentTimecode").GetInt64()));
        Assert.Equal(clusters.Count, answer.OfType("RECEIVED").Count());
        Assert.Equal(clusters.Count, answer.OfType("BUFFERING").Count());

        // ListFragments: the same fragments, ~1 s each, producer timestamp = start + cluster timecode.
        var listed = await client.ListFragmentsAsync(name);
        Assert.Equal(persisted.Select(a => a.GetProperty("FragmentNumber").GetString()), listed.Select(f => f.Number));
        Assert.Equal(clusters.Select(tc => ProducerStartMs + tc), listed.Select(f => f.ProducerMs));
        Assert.All(listed, f => Assert.InRange(f.DurationMs, 950, 1050));
        Assert.InRange(listed.Sum(f => f.DurationMs), 19_900, 20_100);

        // GetMedia from EARLIEST: ffprobe and mkvinfo accept it, and it decodes to every frame ffmpeg made.
        var media = await client.GetMediaEarliestAsync(name, listed.Count);
        Assert.Equal(listed.Select(f => f.Number), IngestReads.Tags(media, "AWS_KINESISVIDEO_FRAGMENT_NUMBER"));
        Assert.Equal(sourceFrames, IngestReads.DecodedVideoFrames(media));
    }

    [Fact]
    public async Task Ffmpeg_in_real_time_gets_persisted_acks_while_it_is_still_streaming()
    {
        using var client = server.CreateClient();
        var name = KvsHttp.UniqueName("ffmpeg-re");
        await client.CreateStreamAsync(name, retentionHours: 24);

        await using var curl = CurlPutMedia.Start(server.BaseUrl, name, "RELATIVE", ProducerStartMs);
        using var ffmpeg = StartFfmpeg(seconds: 5, realTime: true);
        _ = ffmpeg.StandardError.ReadToEndAsync();
        var upload = curl.PipeFromAsync(ffmpeg.StandardOutput.BaseStream);

        // ffmpeg -re produces 1 s clusters for 5 s: the first fragment is stored and acked long before the body ends.
        var first = await curl.WaitForAsync("PERSISTED", TimeSpan.FromSeconds(20));
        Assert.False(curl.BodyEnded, "the first PERSISTED ack came only after the upload ended: ingest is not incremental");
        Assert.Equal(0, first.GetProperty("FragmentTimecode").GetInt64());

        await upload;
        var answer = await curl.FinishAsync(TimeSpan.FromSeconds(30));
        answer.NoErrors();
        Assert.InRange(answer.OfType("PERSISTED").Count(), 4, 6);
        Assert.Equal(answer.OfType("PERSISTED").Count(), (await client.ListFragmentsAsync(name)).Count);
        Assert.DoesNotContain(answer.Acks, a => Type(a) == "ERROR");
    }

    [Fact]
    public async Task Curl_with_expect_100_continue_and_the_whole_body_ready_at_once_is_read()
    {
        using var client = server.CreateClient();
        var name = KvsHttp.UniqueName("curl-expect");
        await client.CreateStreamAsync(name, retentionHours: 24);

        // curl sends Expect: 100-continue; were the 200 sent before the body is first read, curl would never send it.
        await using var curl = CurlPutMedia.Start(server.BaseUrl, name);
        await curl.WriteAsync(ProducerMkv.Clusters(3));
        var answer = await curl.FinishAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        answer.NoErrors();
        Assert.Equal(3, answer.OfType("PERSISTED").Count());
    }
}
