using System.CommandLine;

namespace VideoStreams.Cli.Remote;

/// <summary>Wires a server command: resolves the connection, runs the body with a client, disposes it.</summary>
internal static class RemoteAction
{
    public static T OnServer<T>(this T command, Func<ParseResult, VsClient, CancellationToken, Task<int>> body)
        where T : Command
    {
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = new VsClient(Connection.Resolve(parse));
            return await body(parse, client, cancellationToken);
        });
        return command;
    }
}
