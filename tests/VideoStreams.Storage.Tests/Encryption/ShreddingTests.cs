using VideoStreams.Storage.Encryption;
using VideoStreams.Storage.Files;
using VideoStreams.Storage.Format;
using VideoStreams.Storage.Log;
using VideoStreams.Storage.Retention;
using VideoStreams.Storage.Streams;

namespace VideoStreams.Storage.Tests.Encryption;

/// <summary>
/// Deleting a stream must leave no way to open its sealed bytes, which wait in shared chunks for their retention:
/// compacting the control log takes its wrapped data keys off the disk (crypto-shredding), crash-safely. And a deleted
/// stream's id is never given to a new stream.
/// </summary>
public sealed class ShreddingTests
{
    [Fact]
    public async Task After_a_stream_is_deleted_compaction_takes_its_wrapped_keys_off_the_disk()
    {
        using var s = new EncryptedStore();
        var (alice, bob, bobs) = await TwoStreams(s);
        var aliceKeys = WrappedKeys(s.Folder, alice);
        var bobKeys = WrappedKeys(s.Folder, bob);
        Assert.NotEmpty(aliceKeys);

        Delete(s.Store, "alice");
        Assert.Equal(1, s.Store.ControlLogGarbage);
        Assert.True(s.Store.CompactControlLog() >= 1);
        Assert.Equal(0, s.Store.ControlLogGarbage);
        s.Close();

        var files = s.AllFiles().ToList();
        Assert.All(aliceKeys, key => Assert.DoesNotContain(files, f => f.Bytes.AsSpan().IndexOf(key) >= 0));
        Assert.All(bobKeys, key => Assert.Contains(files, f => f.Bytes.AsSpan().IndexOf(key) >= 0));
        Assert.Single(Directory.GetFiles(Path.Combine(s.Folder, "logs", "control")));

        s.OpenAgain();
        Assert.Equal(bobs.Media, s.Store.Read(bobs.Entry.Number).Value!.Media);
        Assert.False(s.Store.Streams.Describe(StreamRef.ByName("alice")).IsSuccess);
        Assert.True(s.Stream("carol") > bob, "a new stream got an id that was already used");
    }

    [Fact]
    public async Task A_compaction_cut_short_before_its_marker_leaves_the_old_log_in_charge()
    {
        using var s = new EncryptedStore();
        var (alice, bob, bobs) = await TwoStreams(s);
        Delete(s.Store, "alice");
        var control = Path.Combine(s.Folder, "logs", "control");
        var before = Directory.GetFiles(control).ToDictionary(p => p, File.ReadAllBytes);
        s.Store.CompactControlLog();
        s.Close();

        // The crash: the old chunks were never shredded, and the new one lost its marker (the last record, 40 bytes).
        foreach (var (path, bytes) in before)
        {
            File.WriteAllBytes(path, bytes);
        }

        var compacted = Directory.GetFiles(control).Except(before.Keys).Single();
        using (var file = File.OpenHandle(compacted, FileMode.Open, FileAccess.ReadWrite))
        {
            RandomAccess.SetLength(file, RandomAccess.GetLength(file) - 40);
        }

        s.OpenAgain();
        Assert.Equal(bobs.Media, s.Store.Read(bobs.Entry.Number).Value!.Media);
        Assert.False(s.Store.Streams.Describe(StreamRef.ByName("alice")).IsSuccess);
        Assert.Equal(1, s.Store.ControlLogGarbage); // alice's records are still there: the next pass compacts again
        Assert.True(s.Stream("carol") > Math.Max(alice, bob));
        Assert.True(s.Store.CompactControlLog() >= 2);
    }

    [Fact]
    public async Task Superseded_chunks_a_crash_left_behind_are_wiped_at_the_next_open()
    {
        using var s = new EncryptedStore();
        var (alice, _, bobs) = await TwoStreams(s);
        var aliceKeys = WrappedKeys(s.Folder, alice);
        Delete(s.Store, "alice");
        var control = Path.Combine(s.Folder, "logs", "control");
        var before = Directory.GetFiles(control).ToDictionary(p => p, File.ReadAllBytes);
        s.Store.CompactControlLog();
        s.Close();
        foreach (var (path, bytes) in before)
        {
            File.WriteAllBytes(path, bytes); // the marker is durable, the shredding never happened
        }

        s.OpenAgain();

        Assert.Equal(bobs.Media, s.Store.Read(bobs.Entry.Number).Value!.Media);
        Assert.All(before.Keys, p => Assert.False(File.Exists(p), $"{p} survived"));
        s.Close();
        Assert.All(aliceKeys, key => Assert.DoesNotContain(s.AllFiles(), f => f.Bytes.AsSpan().IndexOf(key) >= 0));
        s.OpenAgain();
    }

    [Fact]
    public async Task The_retention_service_compacts_after_a_deletion()
    {
        using var s = new EncryptedStore();
        await TwoStreams(s);
        Delete(s.Store, "alice");

        await using (var service = new RetentionService(s.Store))
        {
            await service.RunOnceAsync();
        }

        Assert.Equal(0, s.Store.ControlLogGarbage);
        Assert.Single(Directory.GetFiles(Path.Combine(s.Folder, "logs", "control")));
    }

    [Fact]
    public async Task The_highest_id_of_a_deleted_stream_is_not_given_out_again_even_after_an_index_rebuild()
    {
        using var s = new EncryptedStore();
        var (_, bob, _) = await TwoStreams(s);
        Delete(s.Store, "bob");

        s.Reopen(loseIndex: true);

        Assert.True(s.Stream("carol") > bob);
    }

    private static async Task<(long Alice, long Bob, (Fragments.FragmentEntry Entry, byte[] Media) Bobs)> TwoStreams(EncryptedStore s)
    {
        var alice = s.Stream("alice");
        var bob = s.Stream("bob");
        await s.Persist(alice, EncryptedStore.Media(1), 1_000);
        var bobs = await s.Persist(bob, EncryptedStore.Media(2), 1_000);
        return (alice, bob, bobs);
    }

    private static void Delete(FragmentStore store, string name)
    {
        var arn = store.Streams.Describe(StreamRef.ByName(name)).Value!.Arn;
        var deleted = store.Streams.Delete(arn);
        Assert.True(deleted.IsSuccess, deleted.Message);
    }

    /// <summary>The wrapped key bytes of a stream's data keys, as its control log holds them.</summary>
    private static List<byte[]> WrappedKeys(string folder, long streamId)
    {
        var files = new PhysicalFileSystem(folder);
        var keys = new List<byte[]>();
        foreach (var name in files.ListFiles(LogLayout.Directory(LogLayout.ControlClass), LogLayout.ChunkSuffix))
        {
            using var chunk = LogChunk.Open(files, LogLayout.ChunkPath(LogLayout.ControlClass, LogLayout.ChunkIdOf(name)!.Value), writable: false);
            chunk.Scan(ChunkHeader.Size, (offset, header, body) =>
            {
                if (header.Type == RecordType.DataKey && DataKeyRecord.FromBody(body) is { } key && key.StreamId == streamId)
                {
                    keys.Add(key.WrappedKey);
                }
            });
        }

        return keys;
    }
}
