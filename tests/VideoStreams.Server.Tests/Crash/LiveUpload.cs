using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace VideoStreams.Server.Tests.Crash;

/// <summary>One PutMedia ack line.</summary>
internal sealed record Ack(string EventType, long? Timecode, string? FragmentNumber, int? ErrorId, string Raw)
{
    public static Ack Parse(string line)
    {
        var json = JsonDocument.Parse(line).RootElement;
        return new Ack(
            json.GetProperty(nameof(EventType)).GetString()!,
            json.TryGetProperty("FragmentTimecode", out var t) ? t.GetInt64() : null,
            json.TryGetProperty(nameof(FragmentNumber), out var n) ? n.GetString() : null,
            json.TryGetProperty(nameof(ErrorId), out var e) ? e.GetInt32() : null,
            line);
    }
}

/// <summary>What one upload saw: every complete ack line, and whether the response ended normally.</summary>
internal sealed record UploadResult(IReadOnlyList<Ack> Acks, bool Completed, string? Failure)
{
    public IEnumerable<Ack> OfType(string type) => Acks.Where(a => a.EventType == type);

    public override string ToString() => $"{(Completed ? "completed" : $"cut off ({Failure})")}, {Acks.Count} acks:\n"
        + string.Join("\n", Acks.Select(a => a.Raw));
}

/// <summary>
/// A camera on a live connection: POST /putMedia with a chunked body written a piece at a time (so a kill finds
/// clusters half sent), while the acks are read as they arrive and handed to a callback — the test kills the server
/// from there. HTTP/1.1 by hand over a socket, as cameras do it: HttpClient sends the whole request body before it
/// reads the response, so it would see no ack until the upload ends. Only complete lines count as acks: a kill may
/// cut the last one.
/// </summary>
internal static class LiveUpload
{
    public const long StartMs = 1_700_000_000_000;

    /// <summary>Streams the source — from cluster <paramref name="from"/> on, after the header — and reads the acks.</summary>
    public static async Task<UploadResult> RunAsync(Uri server, string stream, LiveSource source, TimeSpan pace, Action<Ack> onAck, int from = 0)
    {
        var acks = new List<Ack>();
        // A server that neither answers nor dies is a bug, not a slow machine.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(server.Host, server.Port, timeout.Token);
        var connection = tcp.GetStream();
        var head = "POST /putMedia HTTP/1.1\r\n"
            + $"Host: {server.Host}:{server.Port}\r\n"
            + "Transfer-Encoding: chunked\r\n"
            + $"x-amzn-stream-name: {stream}\r\n"
            + "x-amzn-fragment-timecode-type: RELATIVE\r\n"
            + $"x-amzn-producer-start-timestamp: {StartMs / 1000}.{StartMs % 1000:D3}\r\n"
            + "\r\n";
        await connection.WriteAsync(Encoding.ASCII.GetBytes(head), timeout.Token);
        // The body stops when the response ends (a takeover ends it while the camera still sends).
        using var stopSending = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var sending = SendBodyAsync(connection, source, from, pace, stopSending.Token);
        try
        {
            var response = new ChunkedResponse(connection);
            var status = await response.ReadHeadAsync(timeout.Token);
            Assert.True(status.StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal), $"PutMedia answered {status}");
            var line = new List<byte>(256);
            while (await response.ReadChunkAsync(timeout.Token) is { Length: > 0 } chunk)
            {
                foreach (var b in chunk)
                {
                    if (b != (byte)'\n')
                    {
                        line.Add(b);
                        continue;
                    }

                    var ack = Ack.Parse(Encoding.UTF8.GetString([.. line]));
                    line.Clear();
                    acks.Add(ack);
                    onAck(ack);
                }
            }

            return new UploadResult(acks, Completed: true, null);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Assert.Fail($"PutMedia neither ended nor failed within 60 s; {acks.Count} acks so far");
            throw;
        }
        catch (IOException e)
        {
            // The server died under us: the acks read so far are what the camera knows.
            return new UploadResult(acks, Completed: false, e.Message);
        }
        finally
        {
            await stopSending.CancelAsync();
            await sending;
        }
    }

    /// <summary>The source a cluster at a time, each in two chunks, with a pause between clusters.</summary>
    private static async Task SendBodyAsync(Stream connection, LiveSource source, int from, TimeSpan pace, CancellationToken cancel)
    {
        try
        {
            // The file exactly as ffmpeg wrote it, cut at the end of each cluster and in the middle of each; from a
            // later cluster on, the header first, as a camera that reconnects starts a new document.
            var sent = 0;
            if (from > 0)
            {
                await WriteChunkAsync(connection, source.Bytes.AsMemory(0, source.Clusters[0].Offset), cancel);
                sent = source.Clusters[from].Offset;
            }

            foreach (var cluster in source.Clusters.Skip(from))
            {
                var end = cluster.Offset + cluster.Length;
                var middle = cluster.Offset + (cluster.Length / 2);
                await WriteChunkAsync(connection, source.Bytes.AsMemory(sent, middle - sent), cancel);
                await WriteChunkAsync(connection, source.Bytes.AsMemory(middle, end - middle), cancel);
                sent = end;
                await Task.Delay(pace, cancel);
            }

            await WriteChunkAsync(connection, source.Bytes.AsMemory(sent), cancel);
            await connection.WriteAsync("0\r\n\r\n"u8.ToArray(), cancel);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The server is gone; the reader sees it too.
        }
    }

    private static async Task WriteChunkAsync(Stream connection, ReadOnlyMemory<byte> data, CancellationToken cancel)
    {
        if (data.IsEmpty)
        {
            return;
        }

        await connection.WriteAsync(Encoding.ASCII.GetBytes($"{data.Length:x}\r\n"), cancel);
        await connection.WriteAsync(data, cancel);
        await connection.WriteAsync("\r\n"u8.ToArray(), cancel);
    }
}
