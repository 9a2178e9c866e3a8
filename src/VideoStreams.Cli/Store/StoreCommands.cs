using System.CommandLine;
using System.Globalization;
using VideoStreams.Storage;

namespace VideoStreams.Cli.Store;

/// <summary><c>vs store</c>: offline maintenance of a data folder (the server must not be running on it).</summary>
internal static class StoreCommands
{
    public static Command Create()
    {
        var opening = new StoreOpening();
        var rebuild = new Command("rebuild-index", "Rebuild the SQLite index from the log files (the source of truth).");
        opening.AddTo(rebuild);
        rebuild.SetAction(parse =>
        {
            var folder = opening.Folder(parse);
            var options = opening.Options(parse);
            foreach (var file in folder.GetFiles("index.db*"))
            {
                file.Delete();
            }

            using var store = FragmentStore.Open(options);
            var r = store.Recovery;
            Console.Out.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"rebuilt {Path.Combine(folder.Name, "index.db")}: {r.FragmentsRecovered} fragments from {r.ChunksScanned} chunks, {r.TornBytesCut} torn bytes cut, {r.CorruptChunks.Count} corrupt records, in {r.Elapsed.TotalSeconds:0.000} s"));
            foreach (var corrupt in r.CorruptChunks)
            {
                Console.Error.WriteLine($"vs: corrupt record left out: {corrupt}");
            }

            return r.CorruptChunks.Count == 0 ? CliErrors.Ok : CliErrors.Failure;
        });
        return new Command("store", "Offline maintenance of a data folder.") { rebuild };
    }
}
