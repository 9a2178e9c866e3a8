using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace VideoStreams.Cli.Remote;

/// <summary>
/// Examples under each command's <c>--help</c> (System.CommandLine has no examples section): the root's help action
/// prints the usual help, then the examples of the command asked about.
/// </summary>
internal static class Examples
{
    private static readonly Dictionary<Command, string[]> ByCommand = [];

    /// <summary>Registers examples for <paramref name="command"/>; returns it for chaining.</summary>
    public static T WithExamples<T>(this T command, params string[] examples)
        where T : Command
    {
        ByCommand[command] = examples;
        return command;
    }

    /// <summary>Installs the examples-printing help on the root (its --help option is inherited by every command).</summary>
    public static void Install(RootCommand root)
    {
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new ExamplesHelpAction((HelpAction)help.Action!);
    }

    /// <summary>Help for the command the parse ended on, on stdout (after a usage error too).</summary>
    public static int PrintHelp(ParseResult parse)
    {
        var help = parse.RootCommandResult.Command.Options.OfType<HelpOption>().Single();
        return help.Action is SynchronousCommandLineAction action ? action.Invoke(parse) : 0;
    }

    private sealed class ExamplesHelpAction(HelpAction inner) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var code = inner.Invoke(parseResult);
            if (ByCommand.TryGetValue(parseResult.CommandResult.Command, out var examples))
            {
                var output = parseResult.InvocationConfiguration.Output;
                output.WriteLine("Examples:");
                foreach (var example in examples)
                {
                    output.WriteLine("  " + example);
                }

                output.WriteLine();
            }

            return code;
        }
    }
}
