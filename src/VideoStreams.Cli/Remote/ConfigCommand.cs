using System.CommandLine;
using Spectre.Console;

namespace VideoStreams.Cli.Remote;

/// <summary>
/// <c>vs config</c>: which server, region, profile and credentials a command would use, where each came from, and
/// whether requests are signed.
/// </summary>
internal static class ConfigCommand
{
    public static Command Create()
    {
        var command = new Command("config", "Show the server, region, profile, credentials and request signing vs would use (secrets never shown).");
        command.WithExamples("vs config", "VIDEOSTREAMS_URL=http://cam-box:5080 vs config --json", "vs config --profile lab").WithConnection();
        command.SetAction(parse =>
        {
            var c = Connection.Resolve(parse);
            var keyId = c.Credentials is { } k ? k.AccessKeyId[..Math.Min(4, k.AccessKeyId.Length)] + "…" : null;
            if (parse.GetValue(GlobalOptions.Json))
            {
                Output.Json(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("server", c.Server.ToString());
                    w.WriteString("serverFrom", c.ServerSource);
                    w.WriteString("region", c.Region);
                    w.WriteString("profile", c.Profile);
                    w.WriteString("configFile", ProfileFile.DefaultPath());
                    w.WriteString("accessKeyId", keyId);
                    w.WriteString("credentialsFrom", c.Credentials?.Source);
                    w.WriteString("signing", c.Signing);
                    w.WriteEndObject();
                });
                return CliErrors.Ok;
            }

            var table = Output.Table("SETTING", "VALUE");
            table.AddRow(Output.Cell("server"), Output.Cell($"{c.Server} (from {c.ServerSource})"));
            table.AddRow(Output.Cell("region"), Output.Cell(c.Region));
            table.AddRow(Output.Cell("profile"), Output.Cell($"{c.Profile} ({ProfileFile.DefaultPath()})"));
            table.AddRow(Output.Cell("credentials"), Output.Cell(c.Credentials is null ? "none" : $"{keyId} (from {c.Credentials.Source})"));
            table.AddRow(Output.Cell("signing"), Output.Cell(c.Signing ?? "none: requests are not signed without credentials"));
            Output.Stdout.Write(table);
            return CliErrors.Ok;
        });
        return command;
    }
}
