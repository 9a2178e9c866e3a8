namespace VideoStreams.Storage.Fragments;

/// <summary>Which clock a time query uses.</summary>
public enum TimestampKind
{
    /// <summary>The producer's timestamp (the cluster timecode, as the producer sent it).</summary>
    Producer,
    /// <summary>The server's arrival time of the fragment's first byte.</summary>
    Server,
}

/// <summary>Flags of a stored fragment.</summary>
[Flags]
public enum FragmentFlags
{
    /// <summary>None.</summary>
    None = 0,
    /// <summary>The fragment starts with a keyframe (as KVS fragments must).</summary>
    StartsWithKeyframe = 1,
    /// <summary>The fragment carries audio.</summary>
    HasAudio = 2,
    /// <summary>The fragment carries video.</summary>
    HasVideo = 4,
}

/// <summary>
/// One committed fragment as the index knows it: identity, times, size, and where its record lives on disk.
/// </summary>
/// <param name="Number">Fragment number (global sequence; increases per stream and never repeats).</param>
/// <param name="StreamId">Internal stream id.</param>
/// <param name="ProducerTimestampMs">Producer timestamp, epoch milliseconds.</param>
/// <param name="ServerTimestampMs">Server timestamp, epoch milliseconds.</param>
/// <param name="DurationMs">Duration in milliseconds.</param>
/// <param name="Size">Media bytes (the MKV cluster as received).</param>
/// <param name="ChunkId">The log chunk file holding the record.</param>
/// <param name="Offset">The record's offset in that chunk.</param>
/// <param name="Length">The record's length on disk (header, metadata, media, checksum).</param>
/// <param name="Flags">Keyframe and track flags.</param>
public readonly record struct FragmentEntry(
    long Number,
    long StreamId,
    long ProducerTimestampMs,
    long ServerTimestampMs,
    int DurationMs,
    int Size,
    long ChunkId,
    long Offset,
    int Length,
    FragmentFlags Flags);

/// <summary>A log chunk file as the index knows it (for recovery and retention).</summary>
/// <param name="Id">Chunk id, unique in the data folder, increasing with creation.</param>
/// <param name="LogClass">The log it belongs to (one log per retention class).</param>
/// <param name="IndexedEnd">Bytes of the chunk whose records are all indexed; recovery scans from here.</param>
/// <param name="NewestServerTimestampMs">Server time of the newest fragment in it (retention deletes a chunk once this is past).</param>
/// <param name="Sealed">True once the chunk is full and will not be appended to again.</param>
public readonly record struct ChunkEntry(long Id, string LogClass, long IndexedEnd, long NewestServerTimestampMs, bool Sealed);

/// <summary>A span of time with no fragment.</summary>
/// <param name="StartMs">Where the gap starts (end of the fragment before it), epoch ms.</param>
/// <param name="EndMs">Where it ends (start of the fragment after it), epoch ms.</param>
public readonly record struct TimeGap(long StartMs, long EndMs);
