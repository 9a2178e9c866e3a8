using System.CommandLine;
using VideoStreams.Storage;
using VideoStreams.Storage.Encryption;

namespace VideoStreams.Cli.Store;

/// <summary>The options every offline data-folder command shares: the folder, and where its master keys are.</summary>
internal sealed class StoreOpening
{
    public Option<DirectoryInfo> Data { get; } = new("--data") { Description = "The data folder.", Required = true };

    public Option<string[]> MasterKeys { get; } = new("--master-key")
    {
        Description = "Where a master key is: KEYID=file:PATH, KEYID=env:VARIABLE or KEYID=credential:NAME (repeatable). " +
            "Without one for aws/kinesisvideo, the data folder's demo key is used.",
        AllowMultipleArgumentsPerToken = false,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Data);
        command.Options.Add(MasterKeys);
    }

    /// <summary>The data folder, which must exist.</summary>
    public DirectoryInfo Folder(ParseResult parse)
    {
        var folder = parse.GetValue(Data)!;
        if (!folder.Exists)
        {
            throw new CliException(CliErrors.BadInput, $"no such data folder: {folder.FullName}");
        }

        return folder;
    }

    public FragmentStoreOptions Options(ParseResult parse)
    {
        MasterKeySource[] sources;
        try
        {
            sources = [.. (parse.GetValue(MasterKeys) ?? []).Select(MasterKeySource.Parse)];
        }
        catch (FormatException e)
        {
            throw new CliException(CliErrors.BadInput, e.Message, e);
        }

        return new FragmentStoreOptions
        {
            DataDirectory = Folder(parse).FullName,
            Encryption = new EncryptionOptions { MasterKeys = sources },
        };
    }
}
