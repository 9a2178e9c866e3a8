using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Cli.Tests.Store;

public sealed class RebuildIndexTests
{
    [Fact]
    public async Task Rebuild_index_recovers_every_fragment_and_stream_from_the_logs()
    {
        using var folder = new TempFolder();
        var media = new Dictionary<long, byte[]>();
        var random = new Random(1);
        using (var store = FragmentStore.Open(new FragmentStoreOptions { DataDirectory = folder.Path }))
        {
            var stream = store.Streams.CreateStream("garage", dataRetentionInHours: 24).Value!.Id;
            for (var i = 0; i < 30; i++)
            {
                var bytes = new byte[random.Next(100, 5000)];
                random.NextBytes(bytes);
                var appended = store.Append(stream, new NewFragment(i * 1000, i * 1000, 1000, FragmentFlags.StartsWithKeyframe, bytes)).Value!;
                media[appended.Entry.Number] = bytes;
            }

            await store.CommitAsync();
        }

        var result = await Vs.SucceedAsync("store", "rebuild-index", "--data", folder.Path);

        Assert.Contains("30 fragments", result.StdOut, StringComparison.Ordinal);
        using var reopened = FragmentStore.Open(new FragmentStoreOptions { DataDirectory = folder.Path });
        Assert.True(reopened.Streams.Describe(VideoStreams.Storage.Streams.StreamRef.ByName("garage")).IsSuccess);
        Assert.All(media, pair => Assert.Equal(pair.Value, reopened.Read(pair.Key).Value!.Media));
    }

    [Fact]
    public async Task Rebuild_index_of_a_missing_folder_is_a_one_line_error()
    {
        using var folder = new TempFolder();

        var result = await Vs.RunAsync("store", "rebuild-index", "--data", folder["missing"]);

        Vs.AssertOneErrorLine(result, 2);
        Assert.False(Directory.Exists(folder["missing"]));
    }
}
