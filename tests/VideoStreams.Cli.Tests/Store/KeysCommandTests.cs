using VideoStreams.Storage;
using VideoStreams.Storage.Encryption;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Cli.Tests.Store;

public sealed class KeysCommandTests
{
    [Fact]
    public async Task Rotate_starts_new_data_keys_and_old_data_still_reads()
    {
        using var folder = new TempFolder();
        var before = await WriteAsync(folder.Path, "front-door", "garage");

        var rotated = await Vs.SucceedAsync("keys", "rotate", "--data", folder.Path);
        Assert.Contains("rotated: 2 new data keys", rotated.StdOut, StringComparison.Ordinal);
        var listed = await Vs.SucceedAsync("keys", "list", "--data", folder.Path);
        var lines = listed.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Equal(2, lines.Count(l => l.EndsWith("\tcurrent", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.StartsWith("key 3\tstream front-door\tmaster aws/kinesisvideo", StringComparison.Ordinal) && l.EndsWith("current", StringComparison.Ordinal));

        using var store = FragmentStore.Open(new FragmentStoreOptions { DataDirectory = folder.Path });
        Assert.All(before, pair => Assert.Equal(pair.Value, store.Read(pair.Key).Value!.Media));
        Assert.Equal([3u, 4u], store.DataKeys().Where(k => k.Current).Select(k => k.KeyId).Order());
    }

    [Fact]
    public async Task Rotate_one_stream_by_name()
    {
        using var folder = new TempFolder();
        await WriteAsync(folder.Path, "front-door", "garage");

        var rotated = await Vs.SucceedAsync("keys", "rotate", "--data", folder.Path, "--stream", "garage");

        Assert.Contains("stream garage", rotated.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("front-door", rotated.StdOut, StringComparison.Ordinal);
        Assert.Contains("rotated: 1 new data key", rotated.StdOut, StringComparison.Ordinal);
        var missing = await Vs.RunAsync("keys", "rotate", "--data", folder.Path, "--stream", "attic");
        Assert.Contains("no stream named attic", Vs.AssertOneErrorLine(missing, 2), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_master_key_that_is_not_where_it_is_said_to_be_is_one_clear_line()
    {
        using var folder = new TempFolder();
        var keyFile = folder["master.key"];
        await File.WriteAllBytesAsync(keyFile, Enumerable.Repeat((byte)3, 32).ToArray());
        var data = folder["data"];
        Directory.CreateDirectory(data);
        using (var store = FragmentStore.Open(new FragmentStoreOptions
        {
            DataDirectory = data,
            Encryption = new EncryptionOptions { MasterKeys = [MasterKeySource.Parse($"site=file:{keyFile}")], DemoKeyInDataFolder = false },
        }))
        {
            Assert.True(store.Streams.CreateStream("cam", kmsKeyId: "site", dataRetentionInHours: 24).IsSuccess);
        }

        var ok = await Vs.SucceedAsync("keys", "list", "--data", data, "--master-key", $"site=file:{keyFile}");
        Assert.Contains("master site", ok.StdOut, StringComparison.Ordinal);

        var missing = await Vs.RunAsync("keys", "list", "--data", data, "--master-key", $"site=file:{folder["nowhere.key"]}");
        var line = Vs.AssertOneErrorLine(missing, 1);
        Assert.Contains("'site'", line, StringComparison.Ordinal);
        Assert.Contains($"file {folder["nowhere.key"]} (missing)", line, StringComparison.Ordinal);

        var malformed = await Vs.RunAsync("keys", "list", "--data", data, "--master-key", "site");
        Assert.Contains("KEYID=file:PATH", Vs.AssertOneErrorLine(malformed, 2), StringComparison.Ordinal);
    }

    private static async Task<Dictionary<long, byte[]>> WriteAsync(string data, params string[] streams)
    {
        var written = new Dictionary<long, byte[]>();
        using var store = FragmentStore.Open(new FragmentStoreOptions { DataDirectory = data });
        var random = new Random(2);
        foreach (var name in streams)
        {
            var id = store.Streams.CreateStream(name, dataRetentionInHours: 24).Value!.Id;
            for (var i = 0; i < 3; i++)
            {
                var media = new byte[1500];
                random.NextBytes(media);
                var appended = store.Append(id, new NewFragment(i * 1000, i * 1000, 1000, FragmentFlags.StartsWithKeyframe, media)).Value!;
                written[appended.Entry.Number] = media;
            }
        }

        await store.CommitAsync();
        return written;
    }
}
