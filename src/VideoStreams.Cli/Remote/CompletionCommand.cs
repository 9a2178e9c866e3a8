using System.CommandLine;

namespace VideoStreams.Cli.Remote;

/// <summary>
/// <c>vs completion bash|zsh</c>: prints a script that asks <c>vs</c> itself for completions through System.CommandLine's
/// <c>[suggest:POSITION]</c> directive, so completions always match the installed <c>vs</c>.
/// </summary>
internal static class CompletionCommand
{
    private const string Bash = """
        # vs completion for bash: eval "$(vs completion bash)" (e.g. in ~/.bashrc)
        _vs_complete() {
            local line="${COMP_LINE:0:COMP_POINT}"
            line="${line#*[[:space:]]}"
            local IFS=$'\n'
            COMPREPLY=( $(compgen -W "$("${COMP_WORDS[0]}" "[suggest:${#line}]" "$line" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}") )
        }
        complete -o default -F _vs_complete vs
        """;

    public static Command Create()
    {
        var shell = new Argument<string>("shell") { Description = "bash or zsh." }.AcceptOnlyFromAmong("bash", "zsh");
        var command = new Command("completion", "Print a shell completion script (completions come from vs itself via its [suggest] directive).") { shell };
        command.SetAction(parse =>
        {
            // zsh runs the bash function through bashcompinit.
            Console.Out.Write(parse.GetValue(shell) == "zsh"
                ? "# vs completion for zsh: eval \"$(vs completion zsh)\" (e.g. in ~/.zshrc)\nautoload -U +X bashcompinit && bashcompinit\n" + Bash + "\n"
                : Bash + "\n");
            return CliErrors.Ok;
        });
        return command.WithExamples("eval \"$(vs completion bash)\"", "vs completion zsh >> ~/.zshrc", "vs \"[suggest:10]\" \"streams ls\"   # what the script asks");
    }
}
