using VideoStreams.Storage.Fragments;

namespace VideoStreams.Storage;

/// <summary>A fragment to append: its times, flags, tags and the MKV cluster bytes.</summary>
/// <param name="ProducerTimestampMs">Producer timestamp, epoch milliseconds.</param>
/// <param name="ServerTimestampMs">Arrival time of the fragment's first byte, epoch milliseconds.</param>
/// <param name="DurationMs">Duration in milliseconds.</param>
/// <param name="Flags">Keyframe and track flags.</param>
/// <param name="Media">The MKV cluster as received. Copied into the log before Append returns.</param>
/// <param name="Tags">Fragment metadata (MKV SimpleTags), if any.</param>
public readonly record struct NewFragment(
    long ProducerTimestampMs,
    long ServerTimestampMs,
    int DurationMs,
    FragmentFlags Flags,
    ReadOnlyMemory<byte> Media,
    IReadOnlyList<KeyValuePair<string, string>>? Tags = null);

/// <summary>An appended fragment: its number right away, and a task that completes when it is PERSISTED (or fails).</summary>
/// <param name="Entry">Where and what it is.</param>
/// <param name="Persisted">Completes when the bytes are synced and the index row committed, or with the failure.</param>
public sealed record AppendedFragment(FragmentEntry Entry, Task<StorageResult<FragmentEntry>> Persisted);

/// <summary>A fragment read back: its entry, tags and media (the MKV cluster as received).</summary>
/// <param name="Entry">The index entry.</param>
/// <param name="Tags">Fragment metadata.</param>
/// <param name="Media">The MKV cluster.</param>
public sealed record StoredFragment(FragmentEntry Entry, IReadOnlyList<KeyValuePair<string, string>> Tags, byte[] Media);

/// <summary>What recovery found when the store was opened.</summary>
/// <param name="ChunksScanned">Chunk files scanned past what the index knew.</param>
/// <param name="FragmentsRecovered">Fragments found in the files and added to the index.</param>
/// <param name="TornBytesCut">Bytes of torn tail cut off the newest chunks.</param>
/// <param name="CorruptChunks">Chunks with a damaged record in the middle (indexed up to it; reported, never served).</param>
/// <param name="Elapsed">How long opening took.</param>
public sealed record RecoveryReport(int ChunksScanned, long FragmentsRecovered, long TornBytesCut, IReadOnlyList<string> CorruptChunks, TimeSpan Elapsed);
