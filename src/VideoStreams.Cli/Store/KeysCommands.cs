using System.CommandLine;
using System.Globalization;
using VideoStreams.Storage;
using VideoStreams.Storage.Encryption;
using VideoStreams.Storage.Streams;

namespace VideoStreams.Cli.Store;

/// <summary><c>vs keys</c>: data keys of a data folder (offline: the server must not be running on it).</summary>
internal static class KeysCommands
{
    public static Command Create()
    {
        var opening = new StoreOpening();
        var stream = new Option<string>("--stream") { Description = "Only this stream (by name); every stream that keeps data when absent." };
        var rotate = new Command("rotate", "Start new data keys for new data; old keys stay, so old data stays readable.") { stream };
        opening.AddTo(rotate);
        rotate.SetAction(parse =>
        {
            using var store = Open(opening, parse);
            long? id = null;
            if (parse.GetValue(stream) is { } name)
            {
                var described = store.Streams.Describe(StreamRef.ByName(name));
                if (!described.IsSuccess)
                {
                    throw new CliException(CliErrors.BadInput, $"no stream named {name}");
                }

                id = described.Value!.Id;
            }

            var started = store.RotateDataKeys(id);
            foreach (var key in started)
            {
                Console.Out.WriteLine(Describe(store, key));
            }

            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rotated: {started.Count} new data key{(started.Count == 1 ? "" : "s")}"));
            return CliErrors.Ok;
        });

        var list = new Command("list", "List data keys: id, stream, master key, when started, and which are current (never key material).");
        opening.AddTo(list);
        list.SetAction(parse =>
        {
            using var store = Open(opening, parse);
            foreach (var key in store.DataKeys())
            {
                Console.Out.WriteLine(Describe(store, key));
            }

            return CliErrors.Ok;
        });

        return new Command("keys", "Encryption keys of a data folder.") { rotate, list };
    }

    private static FragmentStore Open(StoreOpening opening, ParseResult parse)
    {
        try
        {
            return FragmentStore.Open(opening.Options(parse));
        }
        catch (MasterKeyUnavailableException e)
        {
            throw new CliException(CliErrors.Failure, e.Message, e);
        }
    }

    private static string Describe(FragmentStore store, DataKeyInfo key)
    {
        var name = store.StreamsById.TryGetValue(key.StreamId, out var s) ? s.Name : $"#{key.StreamId}";
        return string.Create(CultureInfo.InvariantCulture,
            $"key {key.KeyId}\tstream {name}\tmaster {key.MasterKeyId}\tstarted {key.Created:yyyy-MM-ddTHH:mm:ss.fffZ}{(key.Current ? "\tcurrent" : "")}");
    }
}
