using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using VideoStreams.Media.Remux;

namespace VideoStreams.Cli.Media;

/// <summary>
/// <c>vs media remux IN.mkv OUT.mp4</c> (progressive MP4, moov first) and <c>vs media remux IN.mkv --hls DIR</c>
/// (fMP4 HLS VOD, segments cut at keyframes). No re-encoding.
/// </summary>
internal static class RemuxCommand
{
    public static Command Create()
    {
        var input = new Argument<FileInfo>("input") { Description = "A Matroska (.mkv/.webm) file with H.264 and/or AAC." };
        var output = new Argument<FileInfo?>("output") { Description = "The file to write: .mp4 (progressive, moov first), or .mkv/.webm (KVS live layout).", Arity = ArgumentArity.ZeroOrOne };
        var hls = new Option<DirectoryInfo?>("--hls") { Description = "Write fMP4 HLS (index.m3u8, master.m3u8, init and segments) into this folder instead." };
        var segment = new Option<double>("--segment-seconds") { Description = "HLS: target segment duration; segments end at the next keyframe.", DefaultValueFactory = _ => 2.0 };
        var command = new Command("remux", "Repackage a Matroska file as MP4 or fMP4 HLS, without re-encoding.") { input, output, hls, segment };
        command.Validators.Add(result =>
        {
            var hasOutput = result.GetValue(output) is not null;
            var hasHls = result.GetValue(hls) is not null;
            if (hasOutput == hasHls)
            {
                result.AddError("give either an OUTPUT file or --hls DIR (one of them)");
            }
        });
        segment.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is <= 0 or > 60)
            {
                result.AddError("--segment-seconds must be more than 0 and at most 60");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var from = parse.GetValue(input)!;
            var clock = Stopwatch.StartNew();
            var summary = parse.GetValue(hls) is { } dir
                ? await ToHlsAsync(from, dir, TimeSpan.FromSeconds(parse.GetValue(segment)), cancellationToken)
                : IsMatroska(parse.GetValue(output)!)
                    ? await ToMatroskaAsync(from, parse.GetValue(output)!, cancellationToken)
                    : await ToMp4Async(from, parse.GetValue(output)!, cancellationToken);
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{summary} in {clock.Elapsed.TotalSeconds:0.000} s"));
            return CliErrors.Ok;
        });
        return command;
    }

    private static async Task<string> ToMp4Async(FileInfo from, FileInfo to, CancellationToken cancellationToken)
    {
        Mp4RemuxPlan plan;
        await using (var stream = ProbeCommand.OpenInput(from))
        {
            plan = await Mp4Remuxer.PlanAsync(stream, cancellationToken: cancellationToken);
        }

        // Written beside the target and renamed into place: a batch job never sees half a file.
        var temporary = to.FullName + ".partial";
        try
        {
            using (var source = File.OpenHandle(from.FullName, FileMode.Open, FileAccess.Read))
            using (var destination = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                destination.SetLength(plan.Layout.FileSize);
                plan.WriteTo(source, destination);
            }

            File.Move(temporary, to.FullName, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        var samples = string.Join(" + ", plan.Tracks.Select((t, i) => $"{plan.Samples(i).Length} {t.Kind.ToString().ToLowerInvariant()}"));
        return $"wrote {to.Name}: {plan.Layout.FileSize} bytes, {samples} samples";
    }

    private static bool IsMatroska(FileInfo file) =>
        file.Extension.Equals(".mkv", StringComparison.OrdinalIgnoreCase) || file.Extension.Equals(".webm", StringComparison.OrdinalIgnoreCase);

    private static async Task<string> ToMatroskaAsync(FileInfo from, FileInfo to, CancellationToken cancellationToken)
    {
        var temporary = to.FullName + ".partial";
        long frames;
        try
        {
            await using (var input = ProbeCommand.OpenInput(from))
            await using (var output = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                frames = await MatroskaRemuxer.RemuxAsync(input, output, cancellationToken);
            }

            File.Move(temporary, to.FullName, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        return $"wrote {to.Name}: {to.Length} bytes, {frames} frames (live layout)";
    }

    private static async Task<string> ToHlsAsync(FileInfo from, DirectoryInfo to, TimeSpan segmentDuration, CancellationToken cancellationToken)
    {
        await using var stream = ProbeCommand.OpenInput(from);
        var writer = await HlsFolderWriter.RemuxAsync(stream, to, new CmafSegmenterOptions { TargetSegmentDuration = segmentDuration }, cancellationToken);
        return $"wrote {Path.Combine(to.Name, HlsFolderWriter.MediaPlaylist)}: {writer.Segments} segments, {writer.Inits} init segments";
    }
}
