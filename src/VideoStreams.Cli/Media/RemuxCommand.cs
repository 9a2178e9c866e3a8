using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Globalization;
using VideoStreams.Media;
using VideoStreams.Media.Remux;

namespace VideoStreams.Cli.Media;

/// <summary>
/// <c>vs media remux IN.mkv OUT.mp4</c> (progressive MP4, moov first) and <c>vs media remux IN.mkv --hls DIR</c>
/// (fMP4 HLS VOD, segments cut at keyframes). No re-encoding.
/// </summary>
internal static class RemuxCommand
{
    // How HlsFolderWriter names its media files (init-N.mp4, segment-NNNNN.m4s); the playlists are always overwritten.
    private static readonly string[] HlsFiles = ["init-*.mp4", "segment-*.m4s"];

    public static Command Create()
    {
        var input = new Argument<FileInfo>("input") { Description = "A Matroska (.mkv/.webm) file with H.264 and/or AAC." };
        var output = new Argument<FileInfo?>("output") { Description = "The file to write: .mp4 (progressive, moov first), or .mkv/.webm (KVS live layout).", Arity = ArgumentArity.ZeroOrOne };
        var hls = new Option<DirectoryInfo?>("--hls") { Description = "Write fMP4 HLS (index.m3u8, master.m3u8, init and segments) into this folder instead." };
        var segment = new Option<double>("--segment-seconds")
        {
            Description = "HLS: target segment duration; segments end at the next keyframe.",
            DefaultValueFactory = _ => 2.0,
            CustomParser = ParseSegmentSeconds,
        };
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
        command.SetAction(async (parse, cancellationToken) =>
        {
            var from = parse.GetValue(input)!;
            var clock = Stopwatch.StartNew();
            string summary;
            try
            {
                summary = parse.GetValue(hls) is { } dir
                    ? await ToHlsAsync(from, dir, TimeSpan.FromSeconds(parse.GetValue(segment)), cancellationToken)
                    : IsMatroska(parse.GetValue(output)!)
                        ? await ToMatroskaAsync(from, parse.GetValue(output)!, cancellationToken)
                        : await ToMp4Async(from, parse.GetValue(output)!, cancellationToken);
            }
            catch (MediaFormatException e)
            {
                throw CliErrors.InvalidMedia(from, e);
            }

            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{summary} in {clock.Elapsed.TotalSeconds:0.000} s"));
            return CliErrors.Ok;
        });
        return command;
    }

    // A parser rather than a validator: a validator reading the value would throw on "abc", and "NaN" passes range checks.
    private static double ParseSegmentSeconds(ArgumentResult result)
    {
        if (result.Tokens.Count == 1
            && double.TryParse(result.Tokens[0].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            && seconds is > 0 and <= 60)
        {
            return seconds;
        }

        result.AddError("--segment-seconds must be a number of seconds, more than 0 and at most 60");
        return 0;
    }

    private static async Task<string> ToMp4Async(FileInfo from, FileInfo to, CancellationToken cancellationToken)
    {
        // Two passes over the input: the plan keeps where each frame is, the write copies frames from there.
        using var input = Paths.OpenInputHandle(from);
        Paths.CheckOutputFile(to);
        var plan = Mp4Remuxer.Plan(input);
        cancellationToken.ThrowIfCancellationRequested();
        await Paths.WriteFileAsync(to, temporary =>
        {
            using var destination = File.OpenHandle(temporary, FileMode.Create, FileAccess.Write, FileShare.None, FileOptions.None, plan.Layout.FileSize);
            plan.WriteTo(input, destination);
            return Task.FromResult(true);
        });

        var samples = string.Join(" + ", plan.Tracks.Select((t, i) => $"{plan.Samples(i).Length} {t.Kind.ToString().ToLowerInvariant()}"));
        return $"wrote {to.Name}: {plan.Layout.FileSize} bytes, {samples} samples";
    }

    private static bool IsMatroska(FileInfo file) =>
        file.Extension.Equals(".mkv", StringComparison.OrdinalIgnoreCase) || file.Extension.Equals(".webm", StringComparison.OrdinalIgnoreCase);

    private static async Task<string> ToMatroskaAsync(FileInfo from, FileInfo to, CancellationToken cancellationToken)
    {
        await using var input = Paths.OpenInput(from);
        var frames = await Paths.WriteFileAsync(to, async temporary =>
        {
            await using var output = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
            return await MatroskaRemuxer.RemuxAsync(input, output, cancellationToken);
        });
        to.Refresh();
        return $"wrote {to.Name}: {to.Length} bytes, {frames} frames (live layout)";
    }

    private static async Task<string> ToHlsAsync(FileInfo from, DirectoryInfo to, TimeSpan segmentDuration, CancellationToken cancellationToken)
    {
        using var input = Paths.OpenInputHandle(from);
        var writer = await Paths.WriteFolderAsync(to, HlsFiles, stage =>
            Task.FromResult(HlsFolderWriter.Remux(input, stage, new CmafSegmenterOptions { TargetSegmentDuration = segmentDuration })));
        cancellationToken.ThrowIfCancellationRequested();
        return $"wrote {Path.Combine(to.Name, HlsFolderWriter.MediaPlaylist)}: {writer.Segments} segments, {writer.Inits} init segments";
    }
}
