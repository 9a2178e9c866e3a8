using VideoStreams.Storage.Fragments;

namespace VideoStreams.Storage.Tests.Encryption;

/// <summary>
/// GCM's one rule: a nonce is never used twice under the same key. Ours is the fragment number (which never repeats),
/// so every record on disk must carry a distinct number — checked here over a million records, straight from the
/// files; the SIGKILL test checks the same after 20+ kills.
/// </summary>
public sealed class NonceTests
{
    [Fact]
    public async Task Nonces_are_unique_across_a_million_sealed_records_and_two_rotations()
    {
        const int Count = 1_000_000;
        var folder = Directory.CreateTempSubdirectory("vs-nonces-").FullName;
        try
        {
            var options = new FragmentStoreOptions
            {
                DataDirectory = folder,
                CommitInterval = TimeSpan.FromMilliseconds(20),
                CommitBytes = 64L << 20,
                UnsafeSkipSyncForTests = true, // durability is not what this test is about
            };
            var media = new byte[24];
            using (var store = FragmentStore.Open(options))
            {
                var streams = Enumerable.Range(0, 4).Select(i => Store.StoreHarness.CreateStream(store, $"cam-{i}")).ToArray();
                var window = new List<Task<StorageResult<FragmentEntry>>>(65_536);
                for (var i = 0; i < Count; i++)
                {
                    if (i is Count / 3 or 2 * Count / 3)
                    {
                        store.RotateDataKeys();
                    }

                    BitConverter.TryWriteBytes(media, i);
                    window.Add(store.Append(streams[i % streams.Length], new NewFragment(i, i, 1, FragmentFlags.StartsWithKeyframe, media)).Value!.Persisted);
                    if (window.Count == window.Capacity)
                    {
                        await Drain(window);
                    }
                }

                await Drain(window);
                Assert.Equal(12, store.DataKeys().Count);
                Assert.Equal(Count, store.Index.CountFragments());

                // Every thousandth reads back: each opened with the nonce its number implies.
                for (var n = 1L; n <= Count; n += 997)
                {
                    var entry = store.Index.GetFragment(n + 0);
                    if (entry is { } e)
                    {
                        Assert.True(store.Read(e).IsSuccess);
                    }
                }
            }

            var records = SealedRecords.Scan(folder);
            Assert.Equal(Count, records.Count);
            SealedRecords.AssertSealedWithUniqueNonces(records);
            Assert.Equal(Count, records.Select(r => r.Number).Distinct().Count());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task Drain(List<Task<StorageResult<FragmentEntry>>> window)
    {
        foreach (var result in await Task.WhenAll(window))
        {
            Assert.True(result.IsSuccess, result.Message);
        }

        window.Clear();
    }
}
