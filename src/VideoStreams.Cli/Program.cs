using System.CommandLine;
using VideoStreams.Cli;
using VideoStreams.Cli.Media;
using VideoStreams.Cli.Store;

var root = new RootCommand("vs — the VideoStreams command line: offline media tools now; streams, fragments, clips and images as the server grows.")
{
    MediaCommands.Create(),
    StoreCommands.Create(),
    KeysCommands.Create(),
};

// Our own handler reports errors in one line; System.CommandLine's would print a stack trace.
return await CliErrors.RunAsync(() => root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }));
