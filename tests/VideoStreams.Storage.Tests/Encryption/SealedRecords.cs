using VideoStreams.Storage.Encryption;
using VideoStreams.Storage.Files;
using VideoStreams.Storage.Format;
using VideoStreams.Storage.Log;

namespace VideoStreams.Storage.Tests.Encryption;

/// <summary>Every fragment record on disk, read straight from the chunk files (not through the index).</summary>
internal static class SealedRecords
{
    /// <summary>The key id and fragment number of every fragment record in the data folder's logs, and the nonce they imply.</summary>
    public static List<(uint KeyId, long Number, string Nonce)> Scan(string dataFolder)
    {
        var files = new PhysicalFileSystem(dataFolder);
        var found = new List<(uint, long, string)>();
        var nonce = new byte[12];
        foreach (var logClass in files.ListDirectories(LogLayout.LogsFolder).Where(c => c != LogLayout.ControlClass))
        {
            foreach (var name in files.ListFiles(LogLayout.Directory(logClass), LogLayout.ChunkSuffix))
            {
                using var chunk = LogChunk.Open(files, LogLayout.ChunkPath(logClass, LogLayout.ChunkIdOf(name)!.Value), writable: false);
                chunk.Scan(ChunkHeader.Size, (offset, header, body) =>
                {
                    if (header.Type == RecordType.Fragment && FragmentRecord.TryParse(body, out _, out _, out _, out _, out var keyId))
                    {
                        DataKeyRing.Nonce(header.Sequence, nonce);
                        found.Add((keyId, header.Sequence, Convert.ToHexString(nonce)));
                    }
                });
            }
        }

        return found;
    }

    /// <summary>Asserts that every record is sealed and that no (key, nonce) pair occurs twice.</summary>
    public static void AssertSealedWithUniqueNonces(IReadOnlyCollection<(uint KeyId, long Number, string Nonce)> records)
    {
        Assert.All(records, r => Assert.NotEqual(0u, r.KeyId));
        var duplicates = records.GroupBy(r => (r.KeyId, r.Nonce)).Where(g => g.Count() > 1).Select(g => g.Key).Take(5).ToList();
        Assert.True(duplicates.Count == 0, $"nonces used twice under the same key: {string.Join(", ", duplicates)}");
    }
}
