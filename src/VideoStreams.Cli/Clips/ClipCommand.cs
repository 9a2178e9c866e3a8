using System.Buffers;
using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Spectre.Console;
using VideoStreams.Cli.Remote;

namespace VideoStreams.Cli.Clips;

/// <summary>
/// <c>vs clip STREAM --from --to -o OUT</c>: our clip endpoint (GET /v1/streams/{name}/clip) streamed to a file or
/// stdout, with a progress bar on a terminal, resumable after an interruption (Range + If-Range on the clip's ETag).
/// </summary>
internal static class ClipCommand
{
    private const int BufferSize = 256 * 1024;

    public static Command Create()
    {
        var stream = new Argument<string>("stream") { Description = "The stream's name." };
        var from = Times.Option("--from", "Start: the clip begins with the fragment holding this time.", required: true);
        var to = Times.Option("--to", "End: the clip ends with the last fragment starting before it (default now).");
        var clock = Times.ClockOption("producer");
        var output = new Option<string>("--output", "-o") { Description = "The MP4 file to write ('-' for stdout).", Required = true, HelpName = "FILE" };
        var limit = new Option<long?>("--limit-rate")
        {
            Description = "Download at most this many bytes a second (suffixes k, m, g: 500k).",
            HelpName = "RATE",
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
                if (Units.TryParseBytes(text, out var bytes))
                {
                    return bytes;
                }

                result.AddError($"--limit-rate: '{text}' is not a rate (like 500k, 2m)");
                return null;
            },
        };
        var command = new Command("clip", "Download a stretch of a stream as one MP4 (moov first, never transcoded). "
            + "An interrupted download resumes when the same command runs again; if the clip changed meanwhile it starts over.")
        {
            stream, from, to, clock, output, limit,
        };
        return command.WithExamples(
            "vs clip lobby --from -15m -o last15.mp4",
            "vs clip lobby --from 2026-11-26T13:00:00Z --to 2026-11-26T14:00:00Z -o hour.mp4",
            "vs clip lobby --from -1h --to -50m -o - | ffplay -",
            "vs clip lobby --from 1764162000 --to 1764165600 --clock server -o hour.mp4 --limit-rate 2m --json").WithConnection().OnServer(async (parse, client, ct) =>
        {
            var name = parse.GetValue(stream)!;
            var clockName = parse.GetValue(clock)!;
            var start = parse.GetValue(from)!.Value;
            var end = parse.GetValue(to) ?? TimeProvider.System.GetUtcNow();
            var query = string.Create(CultureInfo.InvariantCulture,
                $"v1/streams/{Uri.EscapeDataString(name)}/clip?start={start.ToUnixTimeMilliseconds()}&end={end.ToUnixTimeMilliseconds()}&clock={clockName}");
            var rate = parse.GetValue(limit) is { } r ? new RateLimit(r) : null;
            var path = parse.GetValue(output)!;
            if (path == "-")
            {
                await using var stdout = Console.OpenStandardOutput();
                var (_, _, bytes) = await DownloadAsync(client, query, null, 0, stdout, rate, null, ct);
                Summary(parse, name, "-", bytes, 0);
                return CliErrors.Ok;
            }

            // What was typed, so a rerun of the same command line finds its sidecar (and its resolved times).
            var request = string.Join(' ', name, parse.GetResult(from)!.Tokens[0].Value, parse.GetResult(to) is { Tokens.Count: > 0 } typed ? typed.Tokens[0].Value : "now", clockName);
            return await ToFileAsync(client, parse, name, path, request, query, rate, ct);
        });
    }

    private static async Task<int> ToFileAsync(VsClient client, ParseResult parse, string name, string path, string request, string query, RateLimit? rate, CancellationToken ct)
    {
        var sidecarPath = ClipSidecar.PathFor(path);
        var sidecar = ClipSidecar.Read(sidecarPath);
        long offset = 0;
        if (sidecar is not null && sidecar.Request == request && File.Exists(path))
        {
            query = sidecar.Query;
            offset = new FileInfo(path).Length;
        }
        else
        {
            sidecar = null;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(directory))
        {
            throw new CliException(CliErrors.BadInput, $"{path}: no such folder {directory}");
        }

        await using var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, bufferSize: 0, useAsync: true);
        var resumedFrom = offset;
        try
        {
            var (_, size, _) = await DownloadAsync(client, query, sidecar?.ETag, offset, file, rate, (etag, size, from) =>
            {
                // 206: append at `from`; 200 (a first run, or the clip changed): start over.
                resumedFrom = from;
                file.SetLength(from);
                file.Position = from;
                new ClipSidecar(request, query, etag, size).Write(sidecarPath);
            }, ct);
            if (file.Position != size)
            {
                throw new CliException(CliErrors.Server, $"the server sent {file.Position} of {size} bytes; run the same command again to resume");
            }

            await file.FlushAsync(CancellationToken.None);
            file.Close();
            File.Delete(sidecarPath);
            Summary(parse, name, path, size, resumedFrom);
            return CliErrors.Ok;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await file.FlushAsync(CancellationToken.None);
            throw new CliException(CliErrors.Interrupted, $"interrupted with {file.Position} bytes in {path}; run the same command again to resume");
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            await file.FlushAsync(CancellationToken.None);
            throw new CliException(CliErrors.Server, $"the download broke off with {file.Position} bytes in {path} ({e.Message}); run the same command again to resume", e);
        }
    }

    /// <summary>
    /// GETs the clip (from <paramref name="offset"/> with If-Range when there is an ETag) and copies the body to
    /// <paramref name="destination"/>. <paramref name="starting"/> learns (etag, size, where the body begins) before the first byte.
    /// </summary>
    private static async Task<(string ETag, long Size, long Bytes)> DownloadAsync(VsClient client, string query, string? etag, long offset, Stream destination,
        RateLimit? rate, Action<string, long, long>? starting, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, query);
        if (etag is not null && offset > 0)
        {
            request.Headers.Range = new RangeHeaderValue(offset, null);
            request.Headers.IfRange = new RangeConditionHeaderValue(EntityTagHeaderValue.Parse(etag));
        }

        using var response = await client.SendAsync(request, ct, ct, HttpStatusCode.RequestedRangeNotSatisfiable);
        var tag = response.Headers.ETag?.ToString() ?? "";
        long size, begin;
        switch (response.StatusCode)
        {
            case HttpStatusCode.PartialContent when response.Content.Headers.ContentRange is { From: { } f, Length: { } total } && f == offset:
                (size, begin) = (total, offset);
                break;
            case HttpStatusCode.RequestedRangeNotSatisfiable when response.Content.Headers.ContentRange?.Length == offset:
                // Nothing after what we have: the file was already whole (interrupted between the last byte and the cleanup).
                starting?.Invoke(etag!, offset, offset);
                return (etag!, offset, 0);
            case HttpStatusCode.OK:
                (size, begin) = (response.Content.Headers.ContentLength ?? -1, 0);
                break;
            default:
                throw new CliException(CliErrors.Server, $"unexpected answer {(int)response.StatusCode} to a clip range request");
        }

        starting?.Invoke(tag, size, begin);
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        var copied = 0L;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            async Task Copy(Action<int>? advance)
            {
                var chunk = rate?.ChunkSize(BufferSize) ?? BufferSize;
                int read;
                while ((read = await ReadAsync(client, body, buffer.AsMemory(0, chunk), ct)) > 0)
                {
                    await destination.WriteAsync(buffer.AsMemory(0, read), ct);
                    copied += read;
                    advance?.Invoke(read);
                    if (rate is not null)
                    {
                        await rate.WaitAsync(read, ct);
                    }
                }
            }

            if (Output.StderrIsTerminal && size > 0)
            {
                await Output.Stderr.Progress()
                    .AutoClear(true)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
                    .StartAsync(async context =>
                    {
                        var task = context.AddTask(begin > 0 ? "resuming" : "clip", maxValue: size);
                        task.Value = begin;
                        await Copy(n => task.Increment(n));
                    });
            }
            else
            {
                await Copy(null);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return (tag, size, copied);
    }

    private static async ValueTask<int> ReadAsync(VsClient client, Stream body, Memory<byte> buffer, CancellationToken ct)
    {
        try
        {
            return await body.ReadAsync(buffer, ct);
        }
        catch (HttpRequestException e)
        {
            throw client.Unreachable(e);
        }
    }

    private static void Summary(ParseResult parse, string name, string path, long size, long resumedFrom)
    {
        if (parse.GetValue(GlobalOptions.Json) && path != "-")
        {
            Output.Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("stream", name);
                w.WriteString("file", path);
                w.WriteNumber("bytes", size);
                w.WriteNumber("resumedFrom", resumedFrom);
                w.WriteEndObject();
            });
        }
        else if (path != "-")
        {
            Output.Line(resumedFrom > 0
                ? $"{path}: {Units.Bytes(size)} ({size} bytes), resumed at byte {resumedFrom}"
                : $"{path}: {Units.Bytes(size)} ({size} bytes)");
        }
    }
}
