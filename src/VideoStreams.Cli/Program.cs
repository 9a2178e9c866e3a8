using System.CommandLine;
using VideoStreams.Cli;
using VideoStreams.Cli.Clips;
using VideoStreams.Cli.Fragments;
using VideoStreams.Cli.Hls;
using VideoStreams.Cli.Images;
using VideoStreams.Cli.Live;
using VideoStreams.Cli.Media;
using VideoStreams.Cli.Remote;
using VideoStreams.Cli.Store;
using VideoStreams.Cli.Streams;
using VideoStreams.Cli.Timeline;

var root = new RootCommand("vs — the VideoStreams command line: streams, fragments, clips, images and live media from a server; offline media and store tools.")
{
    StreamsCommands.Create(),
    FragmentsCommands.Create(),
    TimelineCommands.Extent(),
    TimelineCommands.Gaps(),
    ClipCommand.Create(),
    MediaTailCommand.Create(),
    ImagesCommand.Create(),
    HlsUrlCommand.Create(),
    ConfigCommand.Create(),
    CompletionCommand.Create(),
    MediaCommands.Create(),
    StoreCommands.Create(),
    KeysCommands.Create(),
};
OfflineExamples.Add(root);
Examples.Install(root);

var parse = root.Parse(args);
if (parse.Errors.Count > 0 && parse.Action is System.CommandLine.Invocation.ParseErrorAction)
{
    // A usage error (exit 2): the reasons in one line on stderr, the command's help on stdout.
    Console.Error.WriteLine("vs: " + string.Join(" ", parse.Errors.Select(e => e.Message.ReplaceLineEndings(" "))));
    Examples.PrintHelp(parse);
    return CliErrors.BadInput;
}

// Our own handler reports errors in one line; System.CommandLine's would print a stack trace. Ctrl-C cancels the
// action's token; downloads then save what they have (exit 130) well within the 5 s grace.
return await CliErrors.RunAsync(() => parse.InvokeAsync(new InvocationConfiguration
{
    EnableDefaultExceptionHandler = false,
    ProcessTerminationTimeout = TimeSpan.FromSeconds(5),
}));
