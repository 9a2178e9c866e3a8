using System.Buffers;
using System.CommandLine;
using VideoStreams.Cli.Remote;

namespace VideoStreams.Cli.Live;

/// <summary>
/// <c>vs media-tail STREAM [-o FILE]</c>: GetMedia from NOW (or the earliest fragment), the MKV chunks copied as they
/// arrive to a file or stdout (e.g. into ffplay) until the stream's media ends or Ctrl-C, which ends it cleanly (exit 0).
/// </summary>
internal static class MediaTailCommand
{
    public static Command Create()
    {
        var stream = new Argument<string>("stream") { Description = "The stream's name." };
        var output = new Option<string>("--output", "-o") { Description = "Where to write the MKV ('-', the default, for stdout).", DefaultValueFactory = _ => "-", HelpName = "FILE" };
        var start = new Option<string>("--start") { Description = "now (the newest fragment, then live) or earliest (the oldest kept).", DefaultValueFactory = _ => "now" }
            .AcceptOnlyFromAmong("now", "earliest");
        var command = new Command("media-tail", "Follow a stream live (GetMedia): Matroska out, one document per fragment, until Ctrl-C.") { stream, output, start };
        return command.WithExamples(
            "vs media-tail lobby | ffplay -",
            "vs media-tail lobby -o lobby.mkv",
            "vs media-tail lobby --start earliest -o all.mkv").WithConnection(json: false).OnServer(async (parse, client, ct) =>
        {
            var name = parse.GetValue(stream)!;
            var path = parse.GetValue(output)!;
            if (path == "-" && !Console.IsOutputRedirected)
            {
                throw new CliException(CliErrors.BadInput, "media-tail writes Matroska: give -o FILE, or pipe it (vs media-tail STREAM | ffplay -)");
            }

            using var response = await client.KvsStreamAsync("getMedia", w =>
            {
                w.WriteString("StreamName", name);
                w.WriteStartObject("StartSelector");
                w.WriteString("StartSelectorType", parse.GetValue(start) == "earliest" ? "EARLIEST" : "NOW");
                w.WriteEndObject();
            }, ct);
            await using var destination = path == "-" ? Console.OpenStandardOutput() : new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 0, true);
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
            var total = 0L;
            try
            {
                int read;
                while ((read = await body.ReadAsync(buffer, ct)) > 0)
                {
                    await destination.WriteAsync(buffer.AsMemory(0, read), ct);
                    // Flushed per read: a player on the other end of a pipe sees each fragment as it arrives.
                    await destination.FlushAsync(ct);
                    total += read;
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl-C: the way to stop following. What arrived is written; each GetMedia chunk is a whole MKV document.
            }
            catch (IOException) when (path == "-")
            {
                // The reader went away (ffplay closed: EPIPE): as clean an end as Ctrl-C.
            }
            catch (HttpRequestException e)
            {
                throw client.Unreachable(e);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            Output.Note($"vs: media-tail {name}: {total} bytes");
            return CliErrors.Ok;
        });
    }
}
